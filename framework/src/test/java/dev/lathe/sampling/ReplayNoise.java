package dev.lathe.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.safetensors.Tensor;

/**
 * Feeds a fixture's recorded noise tensors back in call order, asserting that each call asks for
 * the step the reference asked for ({@code samplers.json → noise_sampler_calls}).
 */
final class ReplayNoise implements NoiseSource {

    private final Tensor draws;
    private final JsonNode calls;
    private int used;

    ReplayNoise(Tensor draws, JsonNode calls) {
        this.draws = draws;
        this.calls = calls;
    }

    @Override
    public NDArray next(double sigma, double sigmaNext, NDArray like) {
        assertTrue(used < calls.size(), "more noise draws than the reference made (" + calls.size() + ")");
        JsonNode call = calls.get(used);
        // The reference passes exp(-(-ln σ)) where Lathe passes σ: equal to a few units in the last place.
        assertEquals(call.get(0).asDouble(), sigma, 1e-13 * sigma, "sigma of noise call " + used);
        assertEquals(call.get(1).asDouble(), sigmaNext, 1e-13 * sigmaNext, "sigma_next of noise call " + used);
        NDArray noise = SamplingFixtures.slice(like.getManager(), draws, used, like.getDataType());
        assertEquals(like.getShape(), noise.getShape());
        used++;
        return noise;
    }

    void assertAllUsed() {
        assertEquals(calls.size(), used, "noise draws");
    }
}
