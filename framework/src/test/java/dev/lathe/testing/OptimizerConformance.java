package dev.lathe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.types.DataType;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.OptimizerState;
import dev.lathe.api.optim.Parameter;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.HalfFloats;
import dev.lathe.safetensors.Tensor;
import dev.lathe.testing.OptimizerTrace.Precision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks every optimizer plugin must pass against its reference traces, written once: replay
 * a trace step by step, resume from a saved state mid-trace, train float16 parameters with
 * float32 state. Each plugin's test supplies how to create its optimizer.
 */
public final class OptimizerConformance {

    private OptimizerConformance() {
    }

    /** Creates the optimizer under test over one group holding {@code parameters}. */
    @FunctionalInterface
    public interface Maker {
        Optimizer create(List<Parameter> parameters);
    }

    /** Further checks after step {@code step} (1-based) of a trace replay. */
    @FunctionalInterface
    public interface StepCheck {
        void check(int step, Optimizer optimizer);
    }

    /** Element-wise {@code |actual - expected| <= absolute + relative * |expected|}. */
    public record Tolerance(double relative, double absolute) {
    }

    /**
     * Replays every step of {@code trace} with parameters in {@code precision} and checks the
     * parameters after each step against the reference run of the same precision.
     *
     * @return the largest relative deviation seen (|a-e| / max(|e|, 1e-30)), for reporting
     */
    public static double assertReproducesTrace(OptimizerTrace trace, Precision precision, Maker maker,
            Tolerance tolerance, StepCheck check) {
        assertTrue(trace.has(precision), trace.caseName() + " has no " + precision + " trace");
        DataType type = precision == Precision.F64 ? DataType.FLOAT64 : DataType.FLOAT32;
        double worst = 0;
        try (ParameterRig rig = new ParameterRig(trace.initialValues(), type);
                Optimizer optimizer = maker.create(rig.parameters())) {
            for (int step = 1; step <= trace.steps(); step++) {
                rig.setGradients(trace.gradients(step));
                optimizer.step();
                assertEquals(step, optimizer.stepCount());
                Map<String, Tensor> values = rig.values();
                for (String p : trace.parameterOrder()) {
                    Tensor expected = trace.expected(precision, step, p);
                    assertNotNull(expected, "trace lacks " + p + " at step " + step);
                    String what = trace.caseName() + " " + precision + " step " + step + " " + p;
                    worst = Math.max(worst, assertClose(what, values.get(p).toDoubleArray(), expected.toDoubleArray(), tolerance));
                }
                check.check(step, optimizer);
            }
        }
        return worst;
    }

    /**
     * Saves the state after {@code saveAfter} steps, restores it into a fresh optimizer over
     * copies of the parameters, runs the remaining steps, and requires exactly (bit for bit) the
     * parameters, learning rates and state of an uninterrupted float32 run.
     */
    public static void assertResumesBitIdentically(OptimizerTrace trace, Maker maker, int saveAfter) {
        List<Map<String, Tensor>> uninterrupted = new ArrayList<>();
        List<List<Double>> uninterruptedRates = new ArrayList<>();
        OptimizerState finalState;
        try (ParameterRig rig = new ParameterRig(trace.initialValues(), DataType.FLOAT32);
                Optimizer optimizer = maker.create(rig.parameters())) {
            for (int step = 1; step <= trace.steps(); step++) {
                rig.setGradients(trace.gradients(step));
                optimizer.step();
                uninterrupted.add(rig.values());
                uninterruptedRates.add(optimizer.learningRates());
            }
            finalState = optimizer.state();
        }

        try (ParameterRig first = new ParameterRig(trace.initialValues(), DataType.FLOAT32);
                Optimizer before = maker.create(first.parameters())) {
            for (int step = 1; step <= saveAfter; step++) {
                first.setGradients(trace.gradients(step));
                before.step();
            }
            OptimizerState saved = before.state();
            assertEquals(Long.toString(saveAfter), saved.values().get(OptimizerState.STEP));

            try (ParameterRig second = ParameterRig.copyOf(first); Optimizer after = maker.create(second.parameters())) {
                after.restore(saved);
                assertEquals(saveAfter, after.stepCount(), "step count after restore");
                assertEquals(before.learningRates(), after.learningRates(), "learning rates after restore");
                for (int step = saveAfter + 1; step <= trace.steps(); step++) {
                    second.setGradients(trace.gradients(step));
                    after.step();
                    assertBitIdentical("resumed run after step " + step, uninterrupted.get(step - 1), second.values());
                    assertEquals(uninterruptedRates.get(step - 1), after.learningRates(), "learning rates at step " + step);
                }
                assertBitIdentical("state after the last step", finalState.tensors(), after.state().tensors());
                assertEquals(finalState.values(), after.state().values(), "saved values after the last step");
            }
        }
    }

    /**
     * Trains float16 parameters and, beside them, float32 parameters holding the same
     * (float16-representable) values that are rounded to float16 after every step. If the
     * optimizer computes in float32, keeps float32 state and rounds once when writing back, both
     * runs agree bit for bit at every step, parameters and state.
     */
    public static void assertFloat16UpdatesInFloat32(OptimizerTrace trace, Maker maker) {
        try (ParameterRig half = new ParameterRig(trace.initialValues(), DataType.FLOAT16);
                ParameterRig single = new ParameterRig(trace.initialValues(), DataType.FLOAT32);
                Optimizer halfOptimizer = maker.create(half.parameters());
                Optimizer singleOptimizer = maker.create(single.parameters())) {
            single.roundToHalf();
            for (int step = 1; step <= trace.steps(); step++) {
                Map<String, Tensor> gradients = roundedToHalf(trace.gradients(step));
                half.setGradients(gradients);
                single.setGradients(gradients);
                halfOptimizer.step();
                singleOptimizer.step();
                single.roundToHalf();
                half.parameters().forEach(p -> assertEquals(DataType.FLOAT16, p.value().getDataType()));
                assertBitIdentical("float16 parameters after step " + step, single.values(), half.values());

                OptimizerState halfState = halfOptimizer.state();
                halfState.tensors().forEach((name, t) -> assertEquals(DType.F32, t.dtype(), "dtype of state " + name));
                assertBitIdentical("state after step " + step, singleOptimizer.state().tensors(), halfState.tensors());
            }
        }
    }

    /**
     * Runs {@code steps} steps (cycling through the trace's gradients) and requires that no native
     * array outlives its step: the count of live arrays after the first step (parameters,
     * gradients, state) stays the same.
     */
    public static void assertNoArraysOutliveAStep(OptimizerTrace trace, Maker maker, int steps) {
        try (ParameterRig rig = new ParameterRig(trace.initialValues(), DataType.FLOAT32);
                Optimizer optimizer = maker.create(rig.parameters())) {
            int live = -1;
            for (int step = 1; step <= steps; step++) {
                rig.setGradients(trace.gradients(1 + (step - 1) % trace.steps()));
                optimizer.step();
                optimizer.learningRates();
                if (step == 1) {
                    live = rig.liveArrays();
                }
            }
            assertEquals(live, rig.liveArrays(), "native arrays alive after " + steps + " steps vs after the first");
        }
    }

    /** Asserts closeness; returns the largest relative deviation. */
    public static double assertClose(String what, double[] actual, double[] expected, Tolerance tolerance) {
        assertEquals(expected.length, actual.length, what + ": element count");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs(actual[i] - expected[i]);
            worst = Math.max(worst, error / Math.max(Math.abs(expected[i]), 1e-30));
            if (!(error <= tolerance.absolute() + tolerance.relative() * Math.abs(expected[i]))) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " (error " + error
                        + ", allowed " + tolerance + ")");
            }
        }
        return worst;
    }

    public static void assertBitIdentical(String what, Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": names");
        expected.forEach((name, tensor) -> assertTrue(tensor.contentEquals(actual.get(name)),
                () -> what + ": " + name + " differs: " + firstDifference(tensor, actual.get(name))));
    }

    private static String firstDifference(Tensor expected, Tensor actual) {
        if (expected.dtype() != actual.dtype()) {
            return "dtype " + actual.dtype() + " instead of " + expected.dtype();
        }
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < Math.min(e.length, a.length); i++) {
            if (Double.doubleToLongBits(e[i]) != Double.doubleToLongBits(a[i])) {
                return "element " + i + " is " + a[i] + " instead of " + e[i];
            }
        }
        return "shape " + java.util.Arrays.toString(actual.shape()) + " instead of " + java.util.Arrays.toString(expected.shape());
    }

    private static Map<String, Tensor> roundedToHalf(Map<String, Tensor> values) {
        Map<String, Tensor> rounded = new LinkedHashMap<>();
        values.forEach((name, t) -> {
            float[] v = t.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = HalfFloats.f16ToF32(HalfFloats.f32ToF16(v[i]));
            }
            rounded.put(name, Tensor.ofFloats(t.shape(), v));
        });
        return rounded;
    }
}
