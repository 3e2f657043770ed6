package dev.lathe.sampling;

import static dev.lathe.sampling.SamplingFixtures.assertClose;
import static dev.lathe.sampling.SamplingFixtures.part;
import static dev.lathe.sampling.SamplingFixtures.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.safetensors.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import dev.lathe.train.diffusion.Prediction;

/**
 * The whole wrapper chain of {@code sampler_cfg_*}: an ε-model called with c_in-scaled input and
 * the fractional timestep, wrapped by {@link CompVisDenoiser}, guided by {@link Guidance#cfg} at
 * scale 7.5 with cond and uncond in one batch, sampled by Euler and DPM++ 2M Karras. Also the
 * v-prediction scalings, which no fixture covers, checked against the analytic denoiser.
 */
class SamplerGuidanceTest {

    private static final SigmaTable TABLE = SigmaTable.stableDiffusion();

    static Stream<Arguments> runs() {
        return Stream.of(Arguments.of("cfg_euler_20", DataType.FLOAT64), Arguments.of("cfg_euler_20", DataType.FLOAT32),
                Arguments.of("cfg_dpmpp_2m_karras_20", DataType.FLOAT64),
                Arguments.of("cfg_dpmpp_2m_karras_20", DataType.FLOAT32));
    }

    /** The fixture's ε-model: 0.5·tanh(x_in) + cond·t/1000, t per batch element. */
    private static TimestepModel fixtureModel(List<double[]> seenTimesteps) {
        return (xIn, timesteps, conditioning) -> {
            seenTimesteps.add(values(timesteps));
            long batch = xIn.getShape().get(0);
            try (NDArray t = timesteps.reshape(new Shape(batch, 1, 1, 1)); NDArray tanh = xIn.tanh();
                    NDArray half = tanh.mul(0.5); NDArray ct = conditioning.get(0).mul(t); NDArray scaled = ct.div(1000)) {
                return half.add(scaled);
            }
        };
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("runs")
    void guidedRunReproducesTheTrace(String name, DataType type) {
        Map<String, Tensor> f = SamplingFixtures.load("sampler_" + name + ".safetensors");
        JsonNode run = SamplingFixtures.samplersJson().get("runs").get(name);
        Sampler sampler = name.contains("dpmpp") ? Samplers.DPMPP_2M : Samplers.EULER;
        double[] sigmas = f.get("sigmas").toDoubleArray();
        double tolerance = type == DataType.FLOAT64 ? 1e-12 : 1e-5;
        SamplingFixtures.CURRENT.set(name + " " + type);

        List<double[]> seenTimesteps = new ArrayList<>();
        List<double[]> xs = new ArrayList<>();
        List<double[]> denoised = new ArrayList<>();
        try (NDManager manager = SamplingFixtures.manager()) {
            NDList cond = new NDList(SamplingFixtures.array(manager, f.get("cond"), type));
            NDList uncond = new NDList(SamplingFixtures.array(manager, f.get("uncond"), type));
            CompVisDenoiser model = new CompVisDenoiser(fixtureModel(seenTimesteps), TABLE, Prediction.EPSILON);
            Denoiser guided = Guidance.cfg(model, cond, uncond, run.get("cfg_scale").asDouble());
            NDArray start = SamplingFixtures.array(manager, f.get("x_T"), type);
            NDArray result = sampler.sample(guided, start, sigmas, null, (i, s, next, x, den) -> {
                xs.add(values(x));
                denoised.add(values(den));
            });
            for (int i = 0; i < sigmas.length - 1; i++) {
                assertClose(part(f.get("x"), i), xs.get(i), tolerance, "x[" + i + "]");
                assertClose(part(f.get("denoised"), i), denoised.get(i), tolerance, "denoised[" + i + "]");
            }
            assertClose(part(f.get("x"), sigmas.length - 1), values(result), tolerance, "final x");
        }
        double[] expectedT = SamplingFixtures.doubles(run.get("model_call_t"));
        assertEquals(expectedT.length, seenTimesteps.size(), "one batched model call per step");
        for (int i = 0; i < expectedT.length; i++) {
            double[] t = seenTimesteps.get(i);
            assertEquals(2, t.length, "cond and uncond in one batch");
            // float32 timesteps near 1000 are spaced 6e-5 apart
            double within = type == DataType.FLOAT64 ? 1e-9 : 1e-4;
            assertEquals(expectedT[i], t[0], within, "t of call " + i);
            assertEquals(expectedT[i], t[1], within, "t of call " + i);
        }
    }

    @Test
    void scaleOneRunsTheConditionalBatchOnly() {
        List<double[]> seen = new ArrayList<>();
        try (NDManager manager = SamplingFixtures.manager()) {
            NDArray x = manager.randomNormal(new Shape(1, 4, 8, 8)).toType(DataType.FLOAT64, false);
            NDList cond = new NDList(manager.ones(new Shape(1, 4, 8, 8), DataType.FLOAT64));
            NDList uncond = new NDList(manager.zeros(new Shape(1, 4, 8, 8), DataType.FLOAT64));
            CompVisDenoiser model = new CompVisDenoiser(fixtureModel(seen), TABLE, Prediction.EPSILON);
            NDArray once = Guidance.cfg(model, cond, uncond, 1.0).denoise(x, 3.0);
            assertEquals(1, seen.get(0).length);
            NDArray twice = Guidance.cfg(model, cond, uncond, 1.0 + 1e-12).denoise(x, 3.0);
            assertEquals(2, seen.get(1).length);
            assertClose(values(twice), values(once), 1e-9, "scale 1 = cond only");
            assertClose(values(model.denoise(x, 3.0, cond)), values(once), 0, "no guidance");
        }
    }

    @Test
    void condAndUncondMustHaveTheSameShapes() {
        try (NDManager manager = SamplingFixtures.manager()) {
            NDList cond = new NDList(manager.zeros(new Shape(1, 154, 768)));
            NDList uncond = new NDList(manager.zeros(new Shape(1, 77, 768)));
            CompVisDenoiser model = new CompVisDenoiser((x, t, c) -> x, TABLE, Prediction.EPSILON);
            assertThrows(IllegalArgumentException.class, () -> Guidance.cfg(model, cond, uncond, 7));
        }
    }

    /**
     * A network that predicts exactly what the analytic denoiser implies — ε, or
     * v = sqrt(ā)·ε − sqrt(1 − ā)·x0 — wrapped by {@link CompVisDenoiser}, gives back the analytic
     * denoiser, and Euler on it the {@code euler_20} trace: so the c_in/c_skip/c_out of both
     * prediction types and the σ → t → σ round trip are consistent.
     */
    @ParameterizedTest
    @EnumSource(Prediction.class)
    void wrappedNetworkGivesBackTheDenoiserItPredicts(Prediction prediction) {
        Map<String, Tensor> f = SamplingFixtures.load("sampler_euler_20.safetensors");
        try (NDManager manager = SamplingFixtures.manager()) {
            Denoiser analytic = SamplingFixtures.analytic(SamplingFixtures.array(manager, f.get("c"), DataType.FLOAT64));
            TimestepModel network = (xIn, timesteps, conditioning) -> {
                double sigma = TABLE.tToSigma(timesteps.toDoubleArray()[0]);
                double root = Math.sqrt(1 + sigma * sigma);
                try (NDArray x = xIn.mul(root); NDArray x0 = analytic.denoise(x, sigma);
                        NDArray eps = x.sub(x0).div(sigma)) {
                    if (prediction == Prediction.EPSILON) {
                        return eps.duplicate();
                    }
                    try (NDArray a = eps.div(root); NDArray b = x0.mul(sigma / root)) {
                        return a.sub(b);
                    }
                }
            };
            Denoiser wrapped = new CompVisDenoiser(network, TABLE, prediction).conditioned(new NDList());
            NDArray x = SamplingFixtures.array(manager, f.get("x_T"), DataType.FLOAT64);
            for (double sigma : new double[] {14.6, 3.0, 0.5, 0.05}) {
                assertClose(values(analytic.denoise(x, sigma)), values(wrapped.denoise(x, sigma)), 1e-12, "σ = " + sigma);
            }
            double[] sigmas = f.get("sigmas").toDoubleArray();
            NDArray result = Samplers.EULER.sample(wrapped, x, sigmas, null, StepCallback.NONE);
            assertClose(part(f.get("x"), sigmas.length - 1), values(result), 1e-11, "euler_20 through the wrapper");
        }
    }
}
