package dev.lathe.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Objects;
import dev.lathe.train.diffusion.Prediction;

/**
 * Turns a discrete-time ε- or v-prediction network into a denoiser over noise levels σ, as
 * k-diffusion's {@code CompVisDenoiser} / {@code CompVisVDenoiser} do for AUTOMATIC1111 (σ_data = 1):
 * <pre>
 *   c_in = 1 / sqrt(σ² + 1)          t = table.sigmaToT(σ)   (fractional, fed to the network as is)
 *   ε:  denoised = x − σ · ε(x·c_in, t)
 *   v:  denoised = x / (σ² + 1) − σ / sqrt(σ² + 1) · v(x·c_in, t)
 * </pre>
 * Why: the network was trained on variance-preserving inputs sqrt(ā)·x0 + sqrt(1−ā)·ε at integer
 * timesteps; samplers work with x = x0 + σ·ε. Since sqrt(ā) = 1/sqrt(σ²+1) = c_in, x·c_in is what
 * the network saw in training, and the timestep is where the table has this σ.
 *
 * <p>Scalars are computed in float64 when {@code x} is float64 and in float32 otherwise, as the
 * reference does in the dtype of the tensors it gets (float32 values match
 * {@code samplers.json → compvis_conversions}).
 */
public final class CompVisDenoiser implements ConditionalDenoiser {

    private final TimestepModel model;
    private final SigmaTable table;
    private final Prediction prediction;

    public CompVisDenoiser(TimestepModel model, SigmaTable table, Prediction prediction) {
        this.model = Objects.requireNonNull(model, "model");
        this.table = Objects.requireNonNull(table, "table");
        this.prediction = Objects.requireNonNull(prediction, "prediction");
    }

    /** The noise levels of the wrapped model. */
    public SigmaTable table() {
        return table;
    }

    @Override
    public NDArray denoise(NDArray x, double sigma, NDList conditioning) {
        Scalings k = x.getDataType() == DataType.FLOAT64 ? scalings(sigma) : scalings((float) sigma);
        int batch = Math.toIntExact(x.getShape().get(0));
        try (NDArray xIn = x.mul(k.cIn);
                NDArray timesteps = timesteps(x.getManager(), batch, k.t, x.getDataType());
                NDArray out = model.predict(xIn, timesteps, conditioning);
                NDArray scaledOut = out.mul(k.cOut)) {
            if (prediction == Prediction.EPSILON) {
                return x.add(scaledOut); // x + c_out·ε, c_out = −σ
            }
            try (NDArray skipped = x.mul(k.cSkip)) {
                return skipped.add(scaledOut);
            }
        }
    }

    /** c_in, c_out (per prediction type), c_skip and t for {@code sigma}, in float32 arithmetic. */
    Scalings scalings(float sigma) {
        float total = sigma * sigma + 1f;
        float root = (float) Math.sqrt(total);
        float cIn = 1f / root;
        float cOut = prediction == Prediction.EPSILON ? -sigma : -sigma / root;
        float cSkip = prediction == Prediction.EPSILON ? 1f : 1f / total;
        return new Scalings(cIn, cOut, cSkip, table.sigmaToT(sigma));
    }

    /** The same in float64 arithmetic. */
    Scalings scalings(double sigma) {
        double total = sigma * sigma + 1.0;
        double root = Math.sqrt(total);
        double cIn = 1.0 / root;
        double cOut = prediction == Prediction.EPSILON ? -sigma : -sigma / root;
        double cSkip = prediction == Prediction.EPSILON ? 1.0 : 1.0 / total;
        return new Scalings(cIn, cOut, cSkip, table.sigmaToT(sigma));
    }

    private static NDArray timesteps(NDManager manager, int batch, double t, DataType xType) {
        if (xType == DataType.FLOAT64) {
            double[] values = new double[batch];
            Arrays.fill(values, t);
            return manager.create(values, new Shape(batch));
        }
        float[] values = new float[batch];
        Arrays.fill(values, (float) t);
        return manager.create(values, new Shape(batch));
    }

    /** The wrapper's scalars for one noise level (float32 values where computed in float32). */
    record Scalings(double cIn, double cOut, double cSkip, double t) {
    }
}
