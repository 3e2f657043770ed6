package dev.lathe.optimizer.adafactor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.DataType;
import dev.lathe.api.Options;
import dev.lathe.optim.AbstractOptimizer;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.Parameter;
import dev.lathe.api.optim.ParameterGroup;
import dev.lathe.safetensors.Tensor;
import dev.lathe.testing.OptimizerConformance;
import dev.lathe.testing.OptimizerConformance.Tolerance;
import dev.lathe.testing.ParameterRig;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The options and tensor ranks the transformers traces do not exercise (first moment, weight
 * decay, warm-up, no parameter scaling, 3-D and 4-D tensors such as conv LoRA weights), checked
 * against {@link ReferenceAdafactor}: in float64 (DJL operations, to rounding) and in float32
 * (the Java loops, and the DJL operations, to float32 accuracy).
 */
class AdafactorOptionsTest {

    private static final Map<String, long[]> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("down", new long[] {3, 7});
        SHAPES.put("conv_down", new long[] {2, 3, 4, 5});
        SHAPES.put("conv1x1_up", new long[] {6, 2, 1, 1});
        SHAPES.put("batch", new long[] {2, 5, 3});
        SHAPES.put("bias", new long[] {5});
    }

    private enum Form { F64_OPERATIONS, F32_LOOPS, F32_OPERATIONS }

    static Stream<Arguments> variants() {
        List<Arguments> variants = List.of(
                Arguments.of("beta1 + weight decay", Map.of("beta1", 0.9, "weightDecay", 0.01), null),
                Arguments.of("warm-up init", Map.of("warmupInit", true), null),
                Arguments.of("no parameter scale", Map.of("scaleParameter", false, "clipThreshold", 0.5), null),
                Arguments.of("fixed rate, beta1, decay rate", Map.of("relativeStep", false, "beta1", 0.5,
                        "decayRate", -0.5, "eps", List.of(1e-20, 1e-2)), 3e-3));
        return Stream.of(Form.values()).flatMap(form -> variants.stream().map(v -> {
            Object[] a = v.get();
            return Arguments.of(form, a[0], a[1], a[2]);
        }));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("variants")
    void matchesTheReferenceAlgorithm(Form form, String name, Map<String, Object> given, Double lr) {
        Random random = new Random(name.hashCode());
        Map<String, Tensor> initial = new LinkedHashMap<>();
        SHAPES.forEach((p, shape) -> initial.put(p, randomTensor(random, shape, 0.5)));
        DataType type = form == Form.F64_OPERATIONS ? DataType.FLOAT64 : DataType.FLOAT32;
        Tolerance tolerance = form == Form.F64_OPERATIONS ? new Tolerance(1e-12, 1e-15) : new Tolerance(1e-5, 1e-7);

        // The reference reads the options itself, with transformers' defaults.
        @SuppressWarnings("unchecked")
        List<Double> eps = (List<Double>) given.getOrDefault("eps", List.of(1e-30, 1e-3));
        Adafactor.Hyperparameters h = new Adafactor.Hyperparameters(
                (Boolean) given.getOrDefault("relativeStep", true), (Boolean) given.getOrDefault("scaleParameter", true),
                (Boolean) given.getOrDefault("warmupInit", false), eps.get(0), eps.get(1),
                (Double) given.getOrDefault("clipThreshold", 1.0), (Double) given.getOrDefault("decayRate", -0.8),
                (Double) given.get("beta1"), (Double) given.getOrDefault("weightDecay", 0.0));
        try (ParameterRig rig = new ParameterRig(initial, type);
                Optimizer optimizer = create(form, rig.parameters(), Options.of(given), h, lr)) {
            ReferenceAdafactor reference = new ReferenceAdafactor(h, lr == null ? Double.NaN : lr);
            Map<String, double[]> expected = new HashMap<>();
            initial.forEach((p, t) -> expected.put(p, t.toDoubleArray()));

            for (int step = 1; step <= 8; step++) {
                Map<String, Tensor> gradients = new LinkedHashMap<>();
                double scale = step == 4 ? 10 : 1; // one spike, to exercise update clipping
                SHAPES.forEach((p, shape) -> gradients.put(p, randomTensor(random, shape, scale)));
                rig.setGradients(gradients);
                optimizer.step();
                reference.beginStep();
                Map<String, Tensor> actual = rig.values();
                for (String p : SHAPES.keySet()) {
                    double used = reference.update(p, SHAPES.get(p), expected.get(p), gradients.get(p).toDoubleArray());
                    OptimizerConformance.assertClose(name + " step " + step + " " + p, actual.get(p).toDoubleArray(),
                            expected.get(p), tolerance);
                    assertEquals(used, ((AbstractOptimizer<?>) optimizer).lastLearningRate(p), used * tolerance.relative(),
                            "lr of " + p);
                }
            }
        }
    }

    /** Through the factory, or (F32_OPERATIONS) the constructor that forces the DJL-operation form. */
    private static Optimizer create(Form form, List<Parameter> parameters, Options options,
            Adafactor.Hyperparameters h, Double lr) {
        List<ParameterGroup> groups = List.of(new ParameterGroup("all", parameters, lr));
        return form == Form.F32_OPERATIONS ? new Adafactor(groups, h, false) : new AdafactorFactory().create(groups, options);
    }

    private static Tensor randomTensor(Random random, long[] shape, double scale) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * scale);
        }
        return Tensor.ofFloats(shape, values);
    }
}
