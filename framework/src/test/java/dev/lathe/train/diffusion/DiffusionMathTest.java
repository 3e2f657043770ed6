package dev.lathe.train.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.runtime.NDArrays;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.SafeTensorsFile;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Forward noising, targets, loss weights, the kohya loss and noise offset against every entry of
 * {@code diffusion_math.safetensors} / {@code .json}. Tolerance: F32 entries within 1e-6
 * relative (different float32 operation order), as the fixture README allows.
 */
class DiffusionMathTest {

    private static final double TOLERANCE = 1e-6;

    private final NoiseSchedule schedule = NoiseSchedule.stableDiffusion();
    private final ForwardProcess forward = new ForwardProcess(schedule);
    private SafeTensorsFile fixture;
    private NDManager manager;

    @BeforeEach
    void open() throws IOException {
        fixture = Fixtures.diffusionMath();
        manager = TensorRuntime.newManager(Device.cpu());
    }

    @AfterEach
    void close() throws IOException {
        manager.close();
        fixture.close();
    }

    @Test
    void addNoiseAndVelocity() {
        NDArray x0 = array("add_noise.x0");
        NDArray noise = array("add_noise.noise");
        long[] timesteps = fixture.tensor("add_noise.timesteps").toLongArray();
        assertArrayEquals(new long[] {0, 250, 500, 999}, timesteps);
        assertClose("add_noise.noisy", forward.addNoise(x0, noise, timesteps));
        assertClose("velocity.target", forward.velocity(x0, noise, timesteps));
        assertClose("velocity.target", forward.target(Prediction.V_PREDICTION, x0, noise, timesteps));
        assertTrue(forward.target(Prediction.EPSILON, x0, noise, timesteps) == noise);
    }

    @Test
    void weightsOverAllTimesteps() {
        long[] all = UniformTimestepsTest.range(1000);
        float[] snr = schedule.snr();
        assertVector("snr_weight.eps.all_timesteps",
                new DiffusionLoss(schedule, Prediction.EPSILON, LossWeighting.minSnr(5)).weights(all, null));
        assertVector("snr_weight.v.all_timesteps",
                new DiffusionLoss(schedule, Prediction.V_PREDICTION, LossWeighting.minSnr(5)).weights(all, null));
        assertVector("v_pred_like_noise_scale.all_timesteps", new DiffusionLoss(schedule, Prediction.V_PREDICTION,
                new LossWeighting(0, true, 0, false)).weights(all, null));
        assertVector("debiased_weight.eps.all_timesteps", new DiffusionLoss(schedule, Prediction.EPSILON,
                new LossWeighting(0, false, 0, true)).weights(all, null));
        assertVector("debiased_weight.v.all_timesteps", new DiffusionLoss(schedule, Prediction.V_PREDICTION,
                new LossWeighting(0, false, 0, true)).weights(all, null));
        for (int t = 0; t < 1000; t++) {
            assertEquals(LossWeighting.vPredScale(snr[t]), LossWeighting.vPredScale(snr[t]));
        }
    }

    @Test
    void kohyaLossEpsilonAndV() {
        NDArray latents = array("loss.latents");
        NDArray noise = array("loss.noise");
        NDArray modelPred = array("loss.model_pred");
        long[] timesteps = fixture.tensor("loss.timesteps").toLongArray();
        assertEquals(0, timesteps[0]);
        assertEquals(999, timesteps[1]);
        JsonNode examples = Fixtures.diffusionMathJson().get("loss_examples");
        double gamma = Fixtures.diffusionMathJson().get("min_snr_gamma").asDouble();

        for (Prediction prediction : Prediction.values()) {
            String k = prediction == Prediction.EPSILON ? "eps" : "v";
            NDArray target = forward.target(prediction, latents, noise, timesteps);
            assertClose("loss." + k + ".target", target);
            assertClose("loss." + k + ".per_sample_mse", DiffusionLoss.perSampleMse(modelPred, target));

            DiffusionLoss plain = new DiffusionLoss(schedule, prediction, LossWeighting.none());
            DiffusionLoss minSnr = new DiffusionLoss(schedule, prediction, LossWeighting.minSnr(gamma));
            assertClose("loss." + k + ".per_sample_weighted", minSnr.perSampleLoss(modelPred, target, timesteps, null));
            assertEquals(examples.get(k).get("loss_without_snr").asDouble(),
                    plain.loss(modelPred, target, timesteps, null).getFloat(), 1e-6 * 2);
            assertEquals(examples.get(k).get("loss_with_min_snr").asDouble(),
                    minSnr.loss(modelPred, target, timesteps, null).getFloat(), 1e-6);
        }
    }

    /** Dataset weights multiply after the reduction over C, H, W, like the timestep weights. */
    @Test
    void sampleWeightsMultiplyPerSample() {
        NDArray modelPred = array("loss.model_pred");
        NDArray target = array("loss.noise");
        long[] timesteps = fixture.tensor("loss.timesteps").toLongArray();
        float[] sampleWeights = new float[16];
        sampleWeights[3] = 2f;
        DiffusionLoss loss = new DiffusionLoss(schedule, Prediction.EPSILON, LossWeighting.none());
        float[] mse = DiffusionLoss.perSampleMse(modelPred, target).toFloatArray();
        assertEquals(2f * mse[3] / 16, loss.loss(modelPred, target, timesteps, sampleWeights).getFloat(), 1e-6);
    }

    @Test
    void noiseOffset() {
        JsonNode json = Fixtures.diffusionMathJson();
        double offset = json.get("noise_offset").asDouble();
        NDArray latents = array("noise_offset.latents");
        NDArray noise = array("noise_offset.noise");
        assertClose("noise_offset.result", NoiseOffset.of(offset).apply(latents, noise, array("noise_offset.randn_b_c_1_1")));

        NoiseOffset adaptive = new NoiseOffset(offset, json.get("adaptive_noise_scale").asDouble(), false);
        assertClose("noise_offset_adaptive.offset_b_c_1_1", adaptive.offsets(latents, offset));
        assertClose("noise_offset_adaptive.result",
                adaptive.apply(latents, noise, array("noise_offset_adaptive.randn_b_c_1_1")));
    }

    @Test
    void noiseOffsetDrawsOneShiftPerSampleAndChannel() {
        NDArray latents = manager.zeros(new ai.djl.ndarray.types.Shape(2, 4, 8, 8));
        NDArray noise = manager.zeros(latents.getShape());
        NDArray shifted = NoiseOffset.of(0.1).apply(latents, noise, new java.util.SplittableRandom(1));
        float[] values = shifted.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i / 64 * 64], values[i], "one shift per (sample, channel) plane of 8x8");
        }
        assertTrue(values[0] != values[64]);
        assertTrue(NoiseOffset.of(0).apply(latents, noise, new java.util.SplittableRandom(1)) == noise);
    }

    private NDArray array(String name) {
        return NDArrays.fromTensor(manager, fixture.tensor(name));
    }

    private void assertClose(String name, NDArray actual) {
        float[] expected = fixture.tensor(name).toFloatArray();
        assertArrayEquals(fixture.tensor(name).shape(), actual.getShape().getShape(), name + " shape");
        double error = Fixtures.maxRelativeError(expected, actual.toFloatArray(), 1e-3);
        assertTrue(error <= TOLERANCE, name + ": relative error " + error);
    }

    private void assertVector(String name, float[] actual) {
        double error = Fixtures.maxRelativeError(fixture.tensor(name).toFloatArray(), actual, 0);
        assertTrue(error <= TOLERANCE, name + ": relative error " + error);
    }
}
