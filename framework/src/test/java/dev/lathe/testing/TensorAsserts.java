package dev.lathe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.lathe.safetensors.Tensor;

/** Element-wise comparisons of computed arrays against reference tensors, reporting the worst element. */
public final class TensorAsserts {

    private TensorAsserts() {
    }

    /** A copy of {@code array}'s values as float32. */
    public static float[] floats(NDArray array) {
        try (NDArray f = array.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }

    /** Asserts {@code |actual − expected| ≤ atol + rtol·|expected|} elementwise. */
    public static void assertClose(String what, Tensor expected, float[] actual, double atol, double rtol) {
        assertClose(what, expected.toFloatArray(), actual, atol, rtol);
    }

    /** Asserts {@code |actual − expected| ≤ atol + rtol·|expected|} elementwise. */
    public static void assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": element count");
        int bad = 0;
        int worst = -1;
        double worstExcess = 0;
        double maxAbs = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) actual[i] - expected[i]);
            maxAbs = Math.max(maxAbs, diff);
            double excess = diff - (atol + rtol * Math.abs(expected[i]));
            if (!(excess <= 0)) {
                bad++;
                if (worst < 0 || excess > worstExcess || Double.isNaN(excess)) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + expected.length + " elements outside atol " + atol + " + rtol " + rtol
                    + "·|expected|; worst at " + worst + ": expected " + expected[worst] + ", got " + actual[worst]
                    + " (max |diff| " + maxAbs + ")");
        }
    }

    /** max |actual − reference| / max |reference|. */
    public static double relativeMaxError(float[] actual, float[] reference) {
        assertEquals(reference.length, actual.length, "element count");
        double diff = 0;
        double ref = 0;
        for (int i = 0; i < reference.length; i++) {
            diff = Math.max(diff, Math.abs((double) actual[i] - reference[i]));
            ref = Math.max(ref, Math.abs(reference[i]));
        }
        return diff / ref;
    }
}
