package dev.lathe.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lathe.runtime.TensorRuntime;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Emphasis on encoder output, against the same formula computed in Java doubles. */
class EmphasisWeightsTest {

    private static final int BATCH = 2;
    private static final int WINDOWS = 2;
    private static final int TOKENS = WINDOWS * ClipTokenizer.CONTEXT_LENGTH;
    private static final int CHANNELS = 8;

    private final Random random = new Random(7);

    @Test
    void weightsScaleTokensAndEachWindowKeepsItsMean() {
        float[] hidden = values(BATCH * TOKENS * CHANNELS);
        float[] weights = weights(TOKENS);
        try (NDManager manager = TensorRuntime.newManager(Device.cpu())) {
            NDArray input = manager.create(hidden, new Shape(BATCH, TOKENS, CHANNELS));
            NDArray output = EmphasisWeights.apply(input, weights);
            assertEquals(input.getShape(), output.getShape());
            assertClose(expected(hidden, weights, false), output.toFloatArray());
            assertArrayEquals(hidden, input.toFloatArray(), "the input is unchanged");
        }
    }

    @Test
    void eachPromptOfABatchCanHaveItsOwnWeights() {
        float[] hidden = values(BATCH * TOKENS * CHANNELS);
        float[] weights = weights(BATCH * TOKENS);
        try (NDManager manager = TensorRuntime.newManager(Device.cpu())) {
            NDArray output = EmphasisWeights.apply(manager.create(hidden, new Shape(BATCH, TOKENS, CHANNELS)), weights);
            assertClose(expected(hidden, weights, true), output.toFloatArray());
        }
    }

    @Test
    void weightsOfOneChangeNothing() {
        float[] hidden = values(BATCH * TOKENS * CHANNELS);
        float[] ones = new float[TOKENS];
        Arrays.fill(ones, 1f);
        assertTrue(EmphasisWeights.isNeutral(ones));
        assertFalse(EmphasisWeights.isNeutral(weights(TOKENS)));
        try (NDManager manager = TensorRuntime.newManager(Device.cpu())) {
            NDArray output = EmphasisWeights.apply(manager.create(hidden, new Shape(BATCH, TOKENS, CHANNELS)), ones);
            assertClose(hidden, output.toFloatArray());
        }
    }

    @Test
    void halfPrecisionStaysHalf() {
        float[] hidden = values(TOKENS * CHANNELS);
        float[] weights = weights(TOKENS);
        try (NDManager manager = TensorRuntime.newManager(Device.cpu())) {
            NDArray half = manager.create(hidden, new Shape(1, TOKENS, CHANNELS)).toType(DataType.FLOAT16, false);
            NDArray output = EmphasisWeights.apply(half, weights);
            assertEquals(DataType.FLOAT16, output.getDataType());
        }
    }

    @Test
    void wrongShapesAreRefused() {
        try (NDManager manager = TensorRuntime.newManager(Device.cpu())) {
            NDArray notWindows = manager.zeros(new Shape(1, 76, CHANNELS));
            assertThrows(IllegalArgumentException.class, () -> EmphasisWeights.apply(notWindows, new float[76]));
            NDArray hidden = manager.zeros(new Shape(BATCH, TOKENS, CHANNELS));
            assertThrows(IllegalArgumentException.class, () -> EmphasisWeights.apply(hidden, new float[TOKENS - 1]));
        }
    }

    /** z·w, rescaled per prompt and window so that the mean over tokens and channels is kept. */
    private static float[] expected(float[] hidden, float[] weights, boolean perPrompt) {
        float[] out = new float[hidden.length];
        int window = ClipTokenizer.CONTEXT_LENGTH * CHANNELS;
        for (int b = 0; b < BATCH; b++) {
            for (int w = 0; w < WINDOWS; w++) {
                int start = (b * WINDOWS + w) * window;
                double before = 0;
                double after = 0;
                double[] weighted = new double[window];
                for (int i = 0; i < window; i++) {
                    int token = w * ClipTokenizer.CONTEXT_LENGTH + i / CHANNELS;
                    double weight = weights[perPrompt ? b * TOKENS + token : token];
                    weighted[i] = hidden[start + i] * weight;
                    before += hidden[start + i];
                    after += weighted[i];
                }
                for (int i = 0; i < window; i++) {
                    out[start + i] = (float) (weighted[i] * (before / after));
                }
            }
        }
        return out;
    }

    private float[] values(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() + 0.5); // a mean well away from 0
        }
        return values;
    }

    private float[] weights(int n) {
        float[] weights = new float[n];
        for (int i = 0; i < n; i++) {
            weights[i] = 0.5f + random.nextFloat();
        }
        return weights;
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 + 1e-5 * Math.abs(expected[i]), "element " + i);
        }
    }
}
