package dev.lathe.optimizer.adamw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AdamWTest {

    private static final String[] CASES = {"adamw_wd0.01", "adamw_wd0", "adamw_amsgrad_wd0.01"};

    /** README §1: a float32 run matches the float32 reference to ~1e-6 relative; float64 to rounding. */
    private static final Tolerance F32 = new Tolerance(2e-6, 1e-7);
    private static final Tolerance F64 = new Tolerance(1e-12, 1e-14);

    private final AdamWFactory factory = new AdamWFactory();

    static Stream<Arguments> traces() {
        return Stream.of(CASES).flatMap(c -> Stream.of(Arguments.of(c, Precision.F32), Arguments.of(c, Precision.F64)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("traces")
    void reproducesTheTorchTrace(String caseName, Precision precision) {
        OptimizerTrace trace = OptimizerTrace.load(caseName);
        double lr = trace.hyperparameters().get("lr").asDouble();
        double worst = OptimizerConformance.assertReproducesTrace(trace, precision, maker(trace),
                precision == Precision.F64 ? F64 : F32,
                (step, optimizer) -> assertEquals(List.of(lr), optimizer.learningRates()));
        System.out.printf("%s %s: largest relative deviation %.3g%n", caseName, precision, worst);
    }

    /** Float32 on the CPU runs the fused loop; the DJL-operation form (GPU, float64) must match too. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"adamw_wd0.01", "adamw_wd0", "adamw_amsgrad_wd0.01"})
    void operationFormReproducesTheFloat32Trace(String caseName) {
        OptimizerTrace trace = OptimizerTrace.load(caseName);
        double worst = OptimizerConformance.assertReproducesTrace(trace, Precision.F32, operationsMaker(trace), F32,
                (step, optimizer) -> { });
        System.out.printf("%s F32, DJL operations: largest relative deviation %.3g%n", caseName, worst);
    }

    @Test
    void fusedLoopIsWhatRunsForFloat32() {
        // The two forms round differently, so identical results would mean the loop never ran.
        OptimizerTrace trace = OptimizerTrace.load("adamw_wd0.01");
        try (ParameterRig fused = new ParameterRig(trace.initialValues(), DataType.FLOAT32);
                ParameterRig operations = new ParameterRig(trace.initialValues(), DataType.FLOAT32);
                Optimizer a = maker(trace).create(fused.parameters());
                Optimizer b = operationsMaker(trace).create(operations.parameters())) {
            for (int step = 1; step <= trace.steps(); step++) {
                fused.setGradients(trace.gradients(step));
                operations.setGradients(trace.gradients(step));
                a.step();
                b.step();
            }
            boolean anyDifferent = false;
            for (String p : trace.parameterOrder()) {
                anyDifferent |= !fused.values().get(p).contentEquals(operations.values().get(p));
            }
            assertTrue(anyDifferent, "fused loop and DJL operations gave bit-identical results");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"adamw_wd0.01", "adamw_amsgrad_wd0.01"})
    void resumesFromSavedStateBitForBit(String caseName) {
        OptimizerTrace trace = OptimizerTrace.load(caseName);
        OptimizerConformance.assertResumesBitIdentically(trace, maker(trace), 6);
        OptimizerConformance.assertResumesBitIdentically(trace, operationsMaker(trace), 6);
    }

    @Test
    void zeroLearningRateLeavesTheWeightsAlone() {
        // A warm-up schedule's first step uses lr = 0 (fixtures README, lr_schedules.json).
        OptimizerTrace trace = OptimizerTrace.load("adamw_wd0.01");
        for (Maker maker : List.of(maker(trace), operationsMaker(trace))) {
            try (ParameterRig rig = new ParameterRig(trace.initialValues(), DataType.FLOAT32);
                    Optimizer optimizer = maker.create(rig.parameters())) {
                optimizer.setLearningRate(0, 0.0);
                rig.setGradients(trace.gradients(1));
                optimizer.step();
                OptimizerConformance.assertBitIdentical("weights after a step at lr 0", trace.initialValues(), rig.values());
                assertEquals(List.of(0.0), optimizer.learningRates());
            }
        }
    }

    @Test
    void float16ParametersAreUpdatedInFloat32() {
        OptimizerTrace trace = OptimizerTrace.load("adamw_amsgrad_wd0.01");
        OptimizerConformance.assertFloat16UpdatesInFloat32(trace, maker(trace));
    }

    @Test
    void noNativeArrayOutlivesAStep() {
        OptimizerTrace trace = OptimizerTrace.load("adamw_amsgrad_wd0.01");
        OptimizerConformance.assertNoArraysOutliveAStep(trace, maker(trace), 50);
    }

    @Test
    void stateIsNamedAsInTorch() {
        OptimizerTrace trace = OptimizerTrace.load("adamw_amsgrad_wd0.01");
        try (ParameterRig rig = new ParameterRig(trace.initialValues(), DataType.FLOAT32);
                Optimizer optimizer = maker(trace).create(rig.parameters())) {
            rig.setGradients(trace.gradients(1));
            optimizer.step();
            OptimizerState state = optimizer.state();
            assertEquals("adamw", state.values().get(OptimizerState.OPTIMIZER));
            assertEquals("1", state.values().get(OptimizerState.STEP));
            assertTrue(state.tensors().containsKey("w0.exp_avg"));
            assertTrue(state.tensors().containsKey("b.exp_avg_sq"));
            assertTrue(state.tensors().containsKey("w1.max_exp_avg_sq"));
            assertEquals(3 * trace.parameterOrder().size(), state.tensors().size());
        }
    }

    @Test
    void optionDefaultsAreTorchDefaults() {
        Map<String, Object> defaults = new HashMap<>();
        factory.options().forEach(o -> defaults.put(o.name(), o.defaultValue()));
        assertEquals(Map.of("betas", List.of(0.9, 0.999), "eps", 1e-8, "weightDecay", 0.01, "amsgrad", false), defaults);
    }

    @Test
    void unknownOptionIsRejectedByName() {
        try (ParameterRig rig = rig()) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> factory.create(
                    List.of(new ParameterGroup("unet", rig.parameters(), 1e-4)),
                    Options.of(Map.of("weight_decay", 0.1, "eps", 1e-6))));
            assertTrue(e.getMessage().contains("\"weight_decay\""), e.getMessage());
            assertFalse(e.getMessage().contains("\"eps\""), e.getMessage());
            for (OptionSpec spec : factory.options()) {
                assertTrue(e.getMessage().contains(spec.name()), e.getMessage());
            }
        }
    }

    @Test
    void everyGroupNeedsALearningRate() {
        try (ParameterRig rig = rig()) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> factory.create(
                    List.of(new ParameterGroup("text_encoder", rig.parameters(), null)), Options.empty()));
            assertTrue(e.getMessage().contains("text_encoder") && e.getMessage().contains("learning rate"), e.getMessage());
        }
    }

    @Test
    void betasMustBeTwoNumbersBelowOne() {
        try (ParameterRig rig = rig()) {
            for (List<Double> betas : List.of(List.of(0.9), List.of(0.9, 1.0), List.of(0.9, 0.99, 0.999))) {
                InvalidInputException e = assertThrows(InvalidInputException.class, () -> factory.create(
                        List.of(new ParameterGroup("unet", rig.parameters(), 1e-4)), Options.of(Map.of("betas", betas))));
                assertTrue(e.getMessage().contains("betas"), e.getMessage());
            }
        }
    }

    @Test
    void restoreRefusesAStateThatDoesNotFit() {
        OptimizerTrace trace = OptimizerTrace.load("adamw_amsgrad_wd0.01");
        try (ParameterRig rig = new ParameterRig(trace.initialValues(), DataType.FLOAT32);
                Optimizer amsgrad = maker(trace).create(rig.parameters());
                Optimizer plain = factory.create(List.of(new ParameterGroup("all", rig.parameters(), 1e-3)), Options.empty())) {
            OptimizerState withMax = amsgrad.state();
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> plain.restore(withMax));
            assertTrue(e.getMessage().contains("unexpected") && e.getMessage().contains("w0.max_exp_avg_sq"), e.getMessage());

            Map<String, Tensor> reshaped = new LinkedHashMap<>(plain.state().tensors());
            reshaped.put("b.exp_avg", Tensor.ofFloats(new long[] {4}, new float[4]));
            InvalidInputException shape = assertThrows(InvalidInputException.class,
                    () -> plain.restore(new OptimizerState(reshaped, plain.state().values())));
            assertTrue(shape.getMessage().contains("b.exp_avg has shape [4]"), shape.getMessage());

            Map<String, String> foreign = new HashMap<>(plain.state().values());
            foreign.put(OptimizerState.OPTIMIZER, "adafactor");
            InvalidInputException id = assertThrows(InvalidInputException.class,
                    () -> plain.restore(new OptimizerState(plain.state().tensors(), foreign)));
            assertTrue(id.getMessage().contains("adafactor"), id.getMessage());
        }
    }

    /** The fixture's hyper-parameters (Python names) as this plugin's options and group learning rate. */
    private Maker maker(OptimizerTrace trace) {
        JsonNode h = trace.hyperparameters();
        Options options = Options.of(Map.of(
                "betas", List.of(h.get("betas").get(0).asDouble(), h.get("betas").get(1).asDouble()),
                "eps", h.get("eps").asDouble(),
                "weightDecay", h.get("weight_decay").asDouble(),
                "amsgrad", h.get("amsgrad").asBoolean()));
        double lr = h.get("lr").asDouble();
        return (List<Parameter> parameters) -> factory.create(List.of(new ParameterGroup("all", parameters, lr)), options);
    }

    /** As {@link #maker}, but always the DJL-operation form of the update. */
    private static Maker operationsMaker(OptimizerTrace trace) {
        JsonNode h = trace.hyperparameters();
        AdamW.Hyperparameters hyperparameters = new AdamW.Hyperparameters(h.get("betas").get(0).asDouble(),
                h.get("betas").get(1).asDouble(), h.get("eps").asDouble(), h.get("weight_decay").asDouble(),
                h.get("amsgrad").asBoolean());
        double lr = h.get("lr").asDouble();
        return parameters -> new AdamW(List.of(new ParameterGroup("all", parameters, lr)), hyperparameters, false);
    }

    private static ParameterRig rig() {
        return new ParameterRig(OptimizerTrace.load("adamw_wd0").initialValues(), DataType.FLOAT32);
    }
}
