package dev.lathe.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sampling keeps native memory flat: however many steps run, the number of live arrays does not
 * grow, and after the run only the result is left — also when the model makes its arrays on a
 * manager of its own (as a network holding its weights does).
 */
class SamplerMemoryTest {

    static Stream<Arguments> samplers() {
        // one name per algorithm: the A1111 display names without a schedule suffix
        return SamplerNames.names().stream().filter(n -> !n.contains("Karras") && !n.equals(n.toLowerCase(Locale.ROOT)))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplers")
    void liveArraysStayFlat(String name) {
        SamplerNames.Choice choice = SamplerNames.resolve(name);
        SigmaTable table = SigmaTable.stableDiffusion();
        double[] sigmas = choice.schedule().sigmas(table, 60);
        try (NDManager latents = SamplingFixtures.manager(); NDManager weights = SamplingFixtures.manager()) {
            NDArray c = weights.randomNormal(new Shape(1, 4, 8, 8));
            // like a network: its output is computed from its own arrays first, so it lands on their manager
            Denoiser model = (x, sigma) -> {
                double total = 1 + sigma * sigma;
                try (NDArray scaled = c.mul(sigma / total); NDArray first = x.div(total)) {
                    return scaled.add(first);
                }
            };
            NDArray start = new SeededNoise(7).draw(latents, new Shape(1, 4, 8, 8));
            int latentsBefore = latents.getManagedArrays().size();
            int weightsBefore = weights.getManagedArrays().size();
            List<Integer> live = new ArrayList<>();
            NDArray result = choice.sampler().sample(model, start, sigmas, new SeededNoise(8), (i, s, next, x, den) ->
                    live.add(latents.getManagedArrays().size() + weights.getManagedArrays().size()));

            assertEquals(60, live.size());
            int settled = live.get(5);
            for (int i = 5; i < live.size(); i++) {
                assertEquals(settled, live.get(i), "live arrays at step " + i + ": " + live);
            }
            assertTrue(result.getManager() == latents, "the result is on the latent's manager");
            assertEquals(latentsBefore + 1, latents.getManagedArrays().size(), "only the result is left");
            assertEquals(weightsBefore, weights.getManagedArrays().size(), "nothing left on the model's manager");
            assertTrue(!start.isReleased(), "the caller's latent is not freed");
        }
    }
}
