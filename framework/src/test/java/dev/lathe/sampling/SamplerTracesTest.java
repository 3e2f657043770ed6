package dev.lathe.sampling;

import static dev.lathe.sampling.SamplingFixtures.assertClose;
import static dev.lathe.sampling.SamplingFixtures.part;
import static dev.lathe.sampling.SamplingFixtures.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.safetensors.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every k-diffusion and DDIM trace of the fixtures ({@code sampler_<name>_<n>.safetensors}): the
 * samplers run on the analytic denoiser from the recorded start with the recorded noise, and every
 * intermediate latent, every estimate, every model call and every noise draw must agree.
 *
 * <p>Runs in float64 (the reference's precision, so agreement is to rounding: tolerance 1e-12
 * relative to the tensor's largest value) and in float32 (the precision images are made in; the
 * fixture README's 1e-5 relative).
 */
class SamplerTracesTest {

    private static final List<String> K_DIFFUSION_RUNS = List.of("euler", "euler_ancestral", "heun", "dpmpp_2m",
            "dpmpp_2m_karras", "dpmpp_sde_karras", "dpmpp_2m_sde_karras", "dpmpp_3m_sde_karras");

    static Stream<Arguments> kDiffusionRuns() {
        List<Arguments> out = new ArrayList<>();
        for (String name : K_DIFFUSION_RUNS) {
            for (int steps : new int[] {20, 35}) {
                for (DataType type : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
                    out.add(Arguments.of(name, steps, type));
                }
            }
        }
        return out.stream();
    }

    static Stream<Arguments> ddimRuns() {
        return Stream.of(Arguments.of(20, DataType.FLOAT64), Arguments.of(35, DataType.FLOAT64),
                Arguments.of(20, DataType.FLOAT32), Arguments.of(35, DataType.FLOAT32));
    }

    private static double tolerance(DataType type) {
        return type == DataType.FLOAT64 ? 1e-12 : 1e-5;
    }

    @ParameterizedTest(name = "{0}_{1} in {2}")
    @MethodSource("kDiffusionRuns")
    void kDiffusionSamplerReproducesTheTrace(String name, int steps, DataType type) {
        Map<String, Tensor> f = SamplingFixtures.load("sampler_" + name + "_" + steps + ".safetensors");
        JsonNode run = SamplingFixtures.samplersJson().get("runs").get(name + "_" + steps);
        SamplerNames.Choice choice = SamplerNames.resolve(name);
        assertEquals(run.get("schedule").asText(), choice.schedule() == Schedule.KARRAS ? "karras" : "default");
        double[] sigmas = f.get("sigmas").toDoubleArray();
        double tolerance = tolerance(type);
        SamplingFixtures.CURRENT.set(name + "_" + steps + " " + type);

        List<Double> modelCalls = new ArrayList<>();
        List<double[]> xs = new ArrayList<>();
        List<double[]> denoised = new ArrayList<>();
        try (NDManager manager = SamplingFixtures.manager()) {
            NDArray c = SamplingFixtures.array(manager, f.get("c"), type);
            Denoiser analytic = SamplingFixtures.analytic(c);
            Denoiser recording = (x, sigma) -> {
                modelCalls.add(sigma);
                return analytic.denoise(x, sigma);
            };
            JsonNode calls = run.get("noise_sampler_calls");
            ReplayNoise noise = new ReplayNoise(f.get("noise"), calls);
            NDArray start = SamplingFixtures.array(manager, f.get("x_T"), type);
            assertEquals(sigmas[0], choice.sampler().initialNoiseScale(sigmas));

            NDArray result = choice.sampler().sample(recording, start, sigmas, noise, (i, s, next, x, den) -> {
                assertEquals(sigmas[i], s);
                assertEquals(sigmas[i + 1], next);
                xs.add(values(x));
                denoised.add(values(den));
            });

            noise.assertAllUsed();
            assertEquals(type, result.getDataType());
            assertEquals(steps, xs.size());
            for (int i = 0; i < steps; i++) {
                assertClose(part(f.get("x"), i), xs.get(i), tolerance, "x[" + i + "]");
                assertClose(part(f.get("denoised"), i), denoised.get(i), tolerance, "denoised[" + i + "]");
            }
            assertClose(part(f.get("x"), steps), values(result), tolerance, "final x");
            assertArrayEquals(SamplingFixtures.doubles(run.get("model_call_sigmas")),
                    modelCalls.stream().mapToDouble(Double::doubleValue).toArray(), 1e-13 * sigmas[0], "model call sigmas");
        }
    }

    /**
     * diffusers' DDIM (η = 0, SD's scheduler config, "leading" timesteps) as Lathe runs it: in
     * σ-space on the {@link Schedule#DDIM} levels of the same alphas_cumprod table, starting from the
     * recorded variance-preserving noise scaled by {@link Sampler#initialNoiseScale}; each latent
     * scaled back by sqrt(ā) = 1/sqrt(1 + σ²) must be the reference's, the estimates its
     * {@code pred_original_sample}, (x − den)/σ its {@code model_eps}. The reference takes square
     * roots of the float32 table in float32 (and Lathe uses the table's float32 σ), differences
     * of ~1e-7 that dividing by sqrt(ā) ≈ 0.07 at the first steps amplifies: the fixture README's
     * float32 tolerance, 1e-5, in both precisions.
     */
    @ParameterizedTest(name = "ddim_{0} in {1}")
    @MethodSource("ddimRuns")
    void ddimReproducesDiffusers(int steps, DataType type) {
        Map<String, Tensor> f = SamplingFixtures.load("sampler_ddim_" + steps + ".safetensors");
        SigmaTable table = SigmaTable.fromAlphasCumprod(f.get("alphas_cumprod").toFloatArray());
        SamplerNames.Choice choice = SamplerNames.resolve("DDIM");
        assertEquals(Schedule.DDIM, choice.schedule());
        double[] sigmas = choice.schedule().sigmas(table, steps);
        long[] timesteps = f.get("timesteps").toLongArray();
        for (int k = 0; k < steps; k++) {
            assertEquals(table.sigma((int) timesteps[k]), sigmas[k], "σ of timestep " + timesteps[k]);
        }
        assertEquals(table.sigmaMin(), sigmas[steps], "the last step lands on alphas_cumprod[0]");
        double tolerance = 1e-5;
        SamplingFixtures.CURRENT.set("ddim_" + steps + " " + type);

        List<double[]> xs = new ArrayList<>();
        List<double[]> denoised = new ArrayList<>();
        List<double[]> eps = new ArrayList<>();
        try (NDManager manager = SamplingFixtures.manager()) {
            NDArray c = SamplingFixtures.array(manager, f.get("c"), type);
            NDArray noise = SamplingFixtures.array(manager, f.get("x_T"), type);
            NDArray start = noise.mul(choice.sampler().initialNoiseScale(sigmas));
            NDArray result = choice.sampler().sample(SamplingFixtures.analytic(c), start, sigmas, null,
                    (i, s, next, x, den) -> {
                        xs.add(values(x.div(Math.sqrt(1 + s * s))));
                        denoised.add(values(den));
                        eps.add(values(x.sub(den).div(s)));
                    });
            for (int i = 0; i < steps; i++) {
                assertClose(part(f.get("x"), i), xs.get(i), tolerance, "x[" + i + "]");
                assertClose(part(f.get("pred_original_sample"), i), denoised.get(i), tolerance, "pred_original_sample[" + i + "]");
                assertClose(part(f.get("model_eps"), i), eps.get(i), tolerance, "model_eps[" + i + "]");
            }
            assertClose(part(f.get("x"), steps), values(result), tolerance, "final x");
        }
    }
}
