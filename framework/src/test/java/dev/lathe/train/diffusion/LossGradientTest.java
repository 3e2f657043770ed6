package dev.lathe.train.diffusion;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.lathe.runtime.NDArrays;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.SafeTensorsFile;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The loss backpropagates into the model prediction with the analytic gradient
 * {@code d loss / d pred = 2 * w_b * (pred - target) / (B * C * H * W)}, inside a
 * {@code GradientCollector} and an {@code NDScope} as a training step runs it.
 */
class LossGradientTest {

    @ParameterizedTest
    @EnumSource(Prediction.class)
    void gradientIsTheAnalyticOne(Prediction prediction) throws IOException {
        NoiseSchedule schedule = NoiseSchedule.stableDiffusion();
        ForwardProcess forward = new ForwardProcess(schedule);
        DiffusionLoss loss = new DiffusionLoss(schedule, prediction, new LossWeighting(5, false, 0.1, true));
        float[] sampleWeights = new float[16];
        SplittableRandom random = new SplittableRandom(5);
        for (int b = 0; b < sampleWeights.length; b++) {
            sampleWeights[b] = 0.5f + (float) random.nextDouble();
        }

        try (SafeTensorsFile fixture = Fixtures.diffusionMath();
                NDManager manager = TensorRuntime.newManager(Device.cpu())) {
            NDArray pred = NDArrays.fromTensor(manager, fixture.tensor("loss.model_pred"));
            NDArray latents = NDArrays.fromTensor(manager, fixture.tensor("loss.latents"));
            NDArray noise = NDArrays.fromTensor(manager, fixture.tensor("loss.noise"));
            long[] timesteps = fixture.tensor("loss.timesteps").toLongArray();
            NDArray target = forward.target(prediction, latents, noise, timesteps);
            pred.setRequiresGradient(true);

            try (NDScope scope = new NDScope();
                    GradientCollector collector = TensorRuntime.engine().newGradientCollector()) {
                NDArray value = loss.loss(pred, target, timesteps, sampleWeights);
                System.gc(); // a freed temporary would show up as a wrong gradient
                collector.backward(value);
            }

            float[] gradient = pred.getGradient().toFloatArray();
            float[] p = pred.toFloatArray();
            float[] t = target.toFloatArray();
            float[] w = loss.weights(timesteps, sampleWeights);
            int perSample = p.length / 16;
            double worst = 0;
            for (int i = 0; i < p.length; i++) {
                double expected = 2.0 * w[i / perSample] * (p[i] - t[i]) / p.length;
                worst = Math.max(worst, Math.abs(gradient[i] - expected) / Math.max(Math.abs(expected), 1e-9));
            }
            assertTrue(worst < 1e-5, "relative gradient error " + worst);
        }
    }
}
