package dev.lathe.optimizer.adafactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.optim.AbstractOptimizer;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.OptimizerState;
import dev.lathe.api.optim.Parameter;
import dev.lathe.api.optim.ParameterGroup;
import dev.lathe.safetensors.Tensor;
import dev.lathe.testing.OptimizerConformance;
import dev.lathe.testing.OptimizerConformance.Maker;
import dev.lathe.testing.OptimizerConformance.Tolerance;
import dev.lathe.testing.OptimizerTrace;
import dev.lathe.testing.OptimizerTrace.Precision;
import dev.lathe.testing.ParameterRig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AdafactorTest {

    private static final String RELATIVE = "adafactor_relative";
    private static final String FIXED = "adafactor_fixed";

    /** README §1: a float32 run matches the float32 reference to ~1e-6 relative; float64 to rounding. */
    private static final Tolerance F32 = new Tolerance(2e-6, 1e-7);
    private static final Tolerance F64 = new Tolerance(1e-12, 1e-14);

    private final AdafactorFactory factory = new AdafactorFactory();

    static Stream<Arguments> traces() {
        return Stream.of(RELATIVE, FIXED).flatMap(c -> Stream.of(Arguments.of(c, Precision.F32), Arguments.of(c, Precision.F64)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("traces")
    void reproducesTheTransformersTraceAndItsLearningRates(String caseName, Precision precision) {
        OptimizerTrace trace = OptimizerTrace.load(caseName);
        String suffix = precision == Precision.F64 ? "_f64" : "_f32";
        Tolerance tolerance = precision == Precision.F64 ? F64 : F32;
        double worst = OptimizerConformance.assertReproducesTrace(trace, precision, maker(trace), tolerance, (step, optimizer) -> {
            JsonNode expected = trace.perStep(step);
            JsonNode perParameter = expected.get("lr_used_per_param" + suffix);
            for (String p : trace.parameterOrder()) {
                double used = ((AbstractOptimizer<?>) optimizer).lastLearningRate(p);
                OptimizerConformance.assertClose(caseName + " lr of " + p + " at step " + step,
                        new double[] {used}, new double[] {perParameter.get(p).asDouble()}, tolerance);
            }
            JsonNode scheduleLr = expected.get("AdafactorSchedule_get_last_lr_after_step" + suffix);
            double[] reported = optimizer.learningRates().stream().mapToDouble(Double::doubleValue).toArray();
            if (scheduleLr != null) {
                // What kohya logs: per group, the rate of the group's first parameter.
                OptimizerConformance.assertClose(caseName + " reported lr at step " + step, reported,
                        new double[] {scheduleLr.get(0).asDouble()}, tolerance);
            } else {
                // Fixed mode: the schedule's rate, as given.
                assertEquals(List.of(trace.hyperparameters().get("lr").asDouble()), optimizer.learningRates());
            }
        });
        System.out.printf("%s %s: largest relative deviation %.3g%n", caseName, precision, worst);
    }

    /** Float32 on the CPU runs the Java loops; the DJL-operation form (GPU, float64) must match too. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {RELATIVE, FIXED})
    void operationFormReproducesTheFloat32Trace(String caseName) {
        OptimizerTrace trace = OptimizerTrace.load(caseName);
        double worst = OptimizerConformance.assertReproducesTrace(trace, Precision.F32, operationsMaker(trace), F32,
                (step, optimizer) -> { });
        System.out.printf("%s F32, DJL operations: largest relative deviation %.3g%n", caseName, worst);
    }

    @Test
    void loopsAreWhatRunsForFloat32() {
        // The two forms round differently, so identical results would mean the loops never ran.
        OptimizerTrace trace = OptimizerTrace.load(RELATIVE);
        try (ParameterRig loops = new ParameterRig(trace.initialValues(), DataType.FLOAT32);
                ParameterRig operations = new ParameterRig(trace.initialValues(), DataType.FLOAT32);
                Optimizer a = maker(trace).create(loops.parameters());
                Optimizer b = operationsMaker(trace).create(operations.parameters())) {
            for (int step = 1; step <= trace.steps(); step++) {
                loops.setGradients(trace.gradients(step));
                operations.setGradients(trace.gradients(step));
                a.step();
                b.step();
            }
            boolean anyDifferent = false;
            for (String p : trace.parameterOrder()) {
                anyDifferent |= !loops.values().get(p).contentEquals(operations.values().get(p));
            }
            assertTrue(anyDifferent, "Java loops and DJL operations gave bit-identical results");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {RELATIVE, FIXED})
    void resumesFromSavedStateBitForBit(String caseName) {
        OptimizerTrace trace = OptimizerTrace.load(caseName);
        OptimizerConformance.assertResumesBitIdentically(trace, maker(trace), 6);
        OptimizerConformance.assertResumesBitIdentically(trace, operationsMaker(trace), 6);
    }

    @ParameterizedTest
    @ValueSource(strings = {RELATIVE, FIXED})
    void float16ParametersAreUpdatedInFloat32(String caseName) {
        OptimizerTrace trace = OptimizerTrace.load(caseName);
        OptimizerConformance.assertFloat16UpdatesInFloat32(trace, maker(trace));
    }

    @Test
    void noNativeArrayOutlivesAStep() {
        OptimizerTrace trace = OptimizerTrace.load(RELATIVE);
        OptimizerConformance.assertNoArraysOutliveAStep(trace, maker(trace), 50);
    }

    @Test
    void secondMomentIsFactoredForMatricesAndFullForVectors() {
        OptimizerTrace trace = OptimizerTrace.load(RELATIVE);
        try (ParameterRig rig = new ParameterRig(trace.initialValues(), DataType.FLOAT32);
                Optimizer optimizer = maker(trace).create(rig.parameters())) {
            Map<String, long[]> expected = new HashMap<>();
            trace.initialValues().forEach((name, value) -> {
                long[] shape = value.shape();
                int n = shape.length;
                if (n >= 2) {
                    expected.put(name + ".exp_avg_sq_row", Arrays.copyOf(shape, n - 1));
                    long[] columns = Arrays.copyOf(shape, n - 1);
                    columns[n - 2] = shape[n - 1];
                    expected.put(name + ".exp_avg_sq_col", columns);
                } else {
                    expected.put(name + ".exp_avg_sq", shape);
                }
            });
            OptimizerState state = optimizer.state();
            assertEquals(expected.keySet(), state.tensors().keySet());
            expected.forEach((name, shape) -> assertEquals(Arrays.toString(shape), Arrays.toString(state.tensors().get(name).shape())));
            assertEquals("adafactor", state.values().get(OptimizerState.OPTIMIZER));
        }
    }

    @Test
    void relativeModeOwnsTheScheduleAndReportsTheInitialRateBeforeTheFirstStep() {
        try (ParameterRig rig = rig()) {
            Optimizer withoutRate = factory.create(List.of(new ParameterGroup("unet", rig.parameters(), null)), Options.empty());
            assertTrue(withoutRate.ownsSchedule());
            assertEquals(List.of(0.0), withoutRate.learningRates());
            assertThrows(IllegalStateException.class, () -> withoutRate.setLearningRate(0, 1e-3));
            withoutRate.close();

            Optimizer withRate = quietly(() -> factory.create(List.of(new ParameterGroup("unet", rig.parameters(), 0.5)), Options.empty()));
            assertEquals(List.of(0.5), withRate.learningRates());
            withRate.close();
        }
    }

    @Test
    void learningRateGivenInRelativeModeIsWarnedAboutAndNotUsed() {
        try (ParameterRig rig = rig()) {
            String log = capturingStandardError(() -> factory.create(
                    List.of(new ParameterGroup("unet", rig.parameters(), 1e-4),
                            new ParameterGroup("text_encoder", List.of(), null)), Options.empty()).close());
            assertTrue(log.contains("WARN") && log.contains("not used") && log.contains("\"unet\"") && log.contains("1.0E-4"), log);
            assertFalse(log.contains("text_encoder"), log);

            String fixed = capturingStandardError(() -> factory.create(
                    List.of(new ParameterGroup("unet", rig.parameters(), 1e-4)),
                    Options.of(Map.of("relativeStep", false))).close());
            assertFalse(fixed.contains("WARN"), fixed);
        }
    }

    @Test
    void fixedModeNeedsALearningRate() {
        try (ParameterRig rig = rig()) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> factory.create(
                    List.of(new ParameterGroup("unet", rig.parameters(), null)), Options.of(Map.of("relativeStep", false))));
            assertTrue(e.getMessage().contains("unet") && e.getMessage().contains("learning rate"), e.getMessage());
        }
    }

    @Test
    void warmupInitNeedsRelativeStep() {
        try (ParameterRig rig = rig()) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> factory.create(
                    List.of(new ParameterGroup("unet", rig.parameters(), 1e-4)),
                    Options.of(Map.of("relativeStep", false, "warmupInit", true))));
            assertTrue(e.getMessage().contains("warmupInit"), e.getMessage());
        }
    }

    @Test
    void unknownOptionIsRejectedByName() {
        try (ParameterRig rig = rig()) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> factory.create(
                    List.of(new ParameterGroup("unet", rig.parameters(), null)),
                    Options.of(Map.of("relative_step", true, "clipThreshold", 1.0))));
            assertTrue(e.getMessage().contains("\"relative_step\""), e.getMessage());
            assertFalse(e.getMessage().contains("\"clipThreshold\""), e.getMessage());
            for (OptionSpec spec : factory.options()) {
                assertTrue(e.getMessage().contains(spec.name()), e.getMessage());
            }
        }
    }

    @Test
    void optionDefaultsAreTransformersDefaults() {
        Map<String, Object> defaults = new HashMap<>();
        factory.options().forEach(o -> defaults.put(o.name(), o.defaultValue()));
        Map<String, Object> expected = new HashMap<>(Map.of("relativeStep", true, "scaleParameter", true,
                "warmupInit", false, "eps", List.of(1e-30, 1e-3), "clipThreshold", 1.0, "decayRate", -0.8,
                "weightDecay", 0.0));
        expected.put("beta1", null);
        assertEquals(expected, defaults);
    }

    @Test
    void restoreRefusesAStateOfAnotherShape() {
        OptimizerTrace trace = OptimizerTrace.load(RELATIVE);
        try (ParameterRig rig = new ParameterRig(trace.initialValues(), DataType.FLOAT32);
                Optimizer plain = maker(trace).create(rig.parameters());
                Optimizer withMomentum = factory.create(List.of(new ParameterGroup("all", rig.parameters(), null)),
                        Options.of(Map.of("beta1", 0.9)))) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> withMomentum.restore(plain.state()));
            assertTrue(e.getMessage().contains("missing") && e.getMessage().contains("w0.exp_avg"), e.getMessage());

            Map<String, Tensor> tensors = new LinkedHashMap<>(plain.state().tensors());
            tensors.put("w1.exp_avg_sq_row", Tensor.ofFloats(new long[] {4}, new float[4]));
            InvalidInputException shape = assertThrows(InvalidInputException.class,
                    () -> plain.restore(new OptimizerState(tensors, plain.state().values())));
            assertTrue(shape.getMessage().contains("w1.exp_avg_sq_row has shape [4] but the parameter needs [16]"),
                    shape.getMessage());
        }
    }

    /** The fixture's hyper-parameters (Python names) as this plugin's options and group learning rate. */
    private Maker maker(OptimizerTrace trace) {
        JsonNode h = trace.hyperparameters();
        Map<String, Object> options = new HashMap<>(Map.of(
                "relativeStep", h.get("relative_step").asBoolean(),
                "scaleParameter", h.get("scale_parameter").asBoolean(),
                "warmupInit", h.get("warmup_init").asBoolean(),
                "eps", List.of(h.get("eps").get(0).asDouble(), h.get("eps").get(1).asDouble()),
                "clipThreshold", h.get("clip_threshold").asDouble(),
                "decayRate", h.get("decay_rate").asDouble(),
                "weightDecay", h.get("weight_decay").asDouble()));
        if (!h.get("beta1").isNull()) {
            options.put("beta1", h.get("beta1").asDouble());
        }
        Double lr = h.get("lr").isNull() ? null : h.get("lr").asDouble();
        return (List<Parameter> parameters) -> factory.create(List.of(new ParameterGroup("all", parameters, lr)),
                Options.of(options));
    }

    /** As {@link #maker}, but always the DJL-operation form of the update. */
    private static Maker operationsMaker(OptimizerTrace trace) {
        JsonNode h = trace.hyperparameters();
        Adafactor.Hyperparameters hyperparameters = new Adafactor.Hyperparameters(h.get("relative_step").asBoolean(),
                h.get("scale_parameter").asBoolean(), h.get("warmup_init").asBoolean(), h.get("eps").get(0).asDouble(),
                h.get("eps").get(1).asDouble(), h.get("clip_threshold").asDouble(), h.get("decay_rate").asDouble(),
                h.get("beta1").isNull() ? null : h.get("beta1").asDouble(), h.get("weight_decay").asDouble());
        Double lr = h.get("lr").isNull() ? null : h.get("lr").asDouble();
        return parameters -> new Adafactor(List.of(new ParameterGroup("all", parameters, lr)), hyperparameters, false);
    }

    private static ParameterRig rig() {
        return new ParameterRig(OptimizerTrace.load(RELATIVE).initialValues(), DataType.FLOAT32);
    }

    /** What slf4j-simple (which writes to System.err as it is at each call) logs while {@code work} runs. */
    private static String capturingStandardError(Runnable work) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            work.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static <T> T quietly(Supplier<T> work) {
        Object[] result = new Object[1];
        capturingStandardError(() -> result[0] = work.get());
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }
}
