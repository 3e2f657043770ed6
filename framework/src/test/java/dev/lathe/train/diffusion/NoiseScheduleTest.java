package dev.lathe.train.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.safetensors.SafeTensorsFile;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The noise schedule tables against {@code diffusion_math.safetensors}. */
class NoiseScheduleTest {

    private final NoiseSchedule schedule = NoiseSchedule.stableDiffusion();

    /**
     * The float32 training tables match the fixture bit for bit (the fixture's tolerance would be
     * 1e-6 relative): betas reproduce PyTorch's CPU linspace kernel, the cumprod its float64
     * accumulation.
     */
    @Test
    void trainingTablesAreExactlyKohyas() throws IOException {
        try (SafeTensorsFile f = Fixtures.diffusionMath()) {
            assertArrayEquals(f.tensor("schedule.betas").toFloatArray(), schedule.betas());
            assertArrayEquals(f.tensor("schedule.alphas").toFloatArray(), schedule.alphas());
            assertArrayEquals(f.tensor("schedule.alphas_cumprod").toFloatArray(), schedule.alphasCumprod());
            assertArrayEquals(f.tensor("schedule.sqrt_alphas_cumprod").toFloatArray(), schedule.sqrtAlphasCumprod());
            assertArrayEquals(f.tensor("schedule.sqrt_one_minus_alphas_cumprod").toFloatArray(),
                    schedule.sqrtOneMinusAlphasCumprod());
            assertArrayEquals(f.tensor("schedule.all_snr").toFloatArray(), schedule.snr());
        }
    }

    @Test
    void samplingTableIsTheFloat64ProductRounded() throws IOException {
        try (SafeTensorsFile f = Fixtures.diffusionMath()) {
            assertArrayEquals(f.tensor("schedule_ldm.betas_f64").toDoubleArray(), schedule.betasF64(), 1e-18);
            double[] expected = f.tensor("schedule_ldm.alphas_cumprod_f64").toDoubleArray();
            double[] actual = schedule.alphasCumprodF64();
            for (int t = 0; t < expected.length; t++) {
                assertEquals(expected[t], actual[t], 1e-15 * expected[t], "alphas_cumprod_f64 at " + t);
            }
            assertArrayEquals(f.tensor("schedule_ldm.alphas_cumprod_f32").toFloatArray(),
                    schedule.samplingAlphasCumprod());
        }
    }

    @Test
    void theTwoTablesDifferAsTheFixtureSays() {
        JsonNode json = Fixtures.diffusionMathJson();
        float[] training = schedule.alphasCumprod();
        double[] sampling = schedule.alphasCumprodF64();
        double worst = 0;
        for (int t = 0; t < training.length; t++) {
            worst = Math.max(worst, Math.abs(training[t] - sampling[t]));
        }
        assertEquals(json.get("max_abs_diff_alphas_cumprod_f32_vs_ldm_f64").asDouble(), worst, 1e-12);
    }

    @Test
    void spotValues() {
        JsonNode spots = Fixtures.diffusionMathJson().get("spot_values");
        for (Iterator<Map.Entry<String, JsonNode>> it = spots.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> spot = it.next();
            int t = Integer.parseInt(spot.getKey());
            JsonNode v = spot.getValue();
            assertEquals(v.get("alphas_cumprod_f32").floatValue(), schedule.alphaCumprod(t), 0, "a at " + t);
            assertEquals(v.get("alphas_cumprod_ldm_f64").asDouble(), schedule.alphasCumprodF64()[t],
                    1e-15, "f64 a at " + t);
            assertEquals(v.get("snr").floatValue(), schedule.snr(t), 0, "snr at " + t);
            assertEquals(v.get("min_snr_weight_eps").floatValue(),
                    LossWeighting.minSnrWeight(schedule.snr(t), 5f, Prediction.EPSILON), 1e-7, "eps weight at " + t);
            assertEquals(v.get("min_snr_weight_v").floatValue(),
                    LossWeighting.minSnrWeight(schedule.snr(t), 5f, Prediction.V_PREDICTION), 1e-7, "v weight at " + t);
        }
    }

    @Test
    void shapeOfTheSchedule() {
        assertEquals(1000, schedule.timesteps());
        float[] a = schedule.alphasCumprod();
        for (int t = 1; t < a.length; t++) {
            assertTrue(a[t] < a[t - 1], "alphas_cumprod falls");
        }
        assertEquals(0.00085, schedule.betas()[0], 1e-9);
        assertEquals(0.012, schedule.betas()[999], 1e-9);
    }
}
