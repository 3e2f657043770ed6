package dev.lathe.train.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Objects;

/**
 * The training loss exactly as kohya-ss computes it, in its order:
 *
 * <pre>
 * mse_b  = mean over C, H, W of (model_pred_b - target_b)^2      one value per sample
 * loss_b = mse_b * sampleWeight_b * weighting(t_b)               per-sample weights
 * loss   = mean over b of loss_b
 * </pre>
 * {@code sampleWeight} is the dataset's per-image weight (kohya {@code loss_weights}, e.g. for
 * regularization images); {@code weighting} the timestep weights of {@link LossWeighting}.
 * Reducing over C, H, W before weighting matters: it is what makes the weights per sample.
 *
 * <p><b>Gradients.</b> Only {@code modelPred} is expected to require a gradient, and it only ever
 * meets array operands (no {@code Number} overloads, whose temporary scalars DJL may free before
 * {@code backward()}). The weights are arrays in {@code modelPred}'s manager: keep them, i.e. do
 * not close that manager or the step's {@code NDScope}, until after {@code backward()}. The loss
 * is computed in float32 whatever the prediction's type, as kohya does.
 */
public final class DiffusionLoss {

    private final NoiseSchedule schedule;
    private final Prediction prediction;
    private final LossWeighting weighting;

    public DiffusionLoss(NoiseSchedule schedule, Prediction prediction, LossWeighting weighting) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.prediction = Objects.requireNonNull(prediction, "prediction");
        this.weighting = Objects.requireNonNull(weighting, "weighting");
    }

    public Prediction prediction() {
        return prediction;
    }

    public LossWeighting weighting() {
        return weighting;
    }

    /** {@code mean over every axis but the first of (pred - target)^2}: shape {@code [B]}, float32. */
    public static NDArray perSampleMse(NDArray modelPred, NDArray target) {
        if (!modelPred.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("prediction " + modelPred.getShape() + " and target "
                    + target.getShape() + " differ in shape");
        }
        if (modelPred.getShape().dimension() < 2) {
            throw new IllegalArgumentException("need a batch of samples, [B, ...], got " + modelPred.getShape());
        }
        NDArray difference = float32(modelPred).sub(float32(target));
        // DJL's PyTorch mean reduces one axis at a time: flatten each sample, then average it.
        long batch = modelPred.getShape().get(0);
        return difference.mul(difference).reshape(batch, -1).mean(new int[] {1});
    }

    /**
     * The weight on each sample's MSE: {@code sampleWeights[b]} (all 1 when null) times the
     * timestep weights of sample {@code b}.
     */
    public float[] weights(long[] timesteps, float[] sampleWeights) {
        if (sampleWeights != null && sampleWeights.length != timesteps.length) {
            throw new IllegalArgumentException(sampleWeights.length + " sample weights for " + timesteps.length
                    + " timesteps");
        }
        float[] timestepWeights = PerSample.values(timesteps, schedule.timesteps(),
                t -> weighting.factor(schedule.snr(t), prediction));
        float[] out = new float[timesteps.length];
        for (int b = 0; b < out.length; b++) {
            out[b] = (sampleWeights == null ? 1f : sampleWeights[b]) * timestepWeights[b];
        }
        return out;
    }

    /** The per-sample weighted losses {@code mse_b * weight_b}: shape {@code [B]}. */
    public NDArray perSampleLoss(NDArray modelPred, NDArray target, long[] timesteps, float[] sampleWeights) {
        NDArray mse = perSampleMse(modelPred, target);
        NDArray weights = mse.getManager().create(weights(timesteps, sampleWeights));
        return mse.mul(weights);
    }

    /** The scalar training loss: the batch mean of {@link #perSampleLoss}. */
    public NDArray loss(NDArray modelPred, NDArray target, long[] timesteps, float[] sampleWeights) {
        return perSampleLoss(modelPred, target, timesteps, sampleWeights).mean();
    }

    private static NDArray float32(NDArray array) {
        return array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
    }
}
