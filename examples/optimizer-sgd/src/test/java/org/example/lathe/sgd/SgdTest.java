package org.example.lathe.sgd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import ai.djl.ndarray.NDManager;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.Options;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.OptimizerState;
import dev.lathe.api.optim.Parameter;
import dev.lathe.api.optim.ParameterGroup;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SgdTest {

    private static Options options(double momentum, double weightDecay) {
        return Options.of(Map.of("momentum", momentum, "dampening", 0.0, "weightDecay", weightDecay, "nesterov", false));
    }

    /** A float64 re-computation of the same update rule, step by step. */
    private static double[] reference(double[] p, double[] g, double lr, double momentum, double wd, int steps) {
        double[] x = p.clone();
        double[] b = new double[p.length];
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < x.length; i++) {
                double d = g[i] + wd * x[i];
                b[i] = t == 0 ? d : momentum * b[i] + d;
                x[i] -= lr * (momentum != 0 ? b[i] : d);
            }
        }
        return x;
    }

    @Test
    void followsTheTorchUpdateRuleWithMomentumAndWeightDecay() {
        float[] init = {0.5f, -1.0f, 2.0f, 0.25f};
        float[] grad = {0.1f, -0.2f, 0.3f, 0.05f};
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(init);
            w.setRequiresGradient(true);
            try (Optimizer sgd = new SgdFactory().create(
                    List.of(new ParameterGroup("unet", List.of(new Parameter("w", w)), 0.1)), options(0.9, 0.01))) {
                for (int t = 0; t < 5; t++) {
                    backward(w, grad);
                    sgd.step();
                }
                double[] expected = reference(toDouble(init), toDouble(grad), 0.1, 0.9, 0.01, 5);
                float[] actual = w.toFloatArray();
                for (int i = 0; i < actual.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-5);
                }
                assertEquals(5, sgd.stepCount());
            }
        }
    }

    @Test
    void resumesFromSavedState() {
        float[] init = {1f, 2f, 3f};
        float[] grad = {0.3f, -0.1f, 0.2f};
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(init);
            NDArray b = manager.create(init);
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            List<ParameterGroup> ga = List.of(new ParameterGroup("g", List.of(new Parameter("w", a)), 0.05));
            List<ParameterGroup> gb = List.of(new ParameterGroup("g", List.of(new Parameter("w", b)), 0.05));
            try (Optimizer straight = new SgdFactory().create(ga, options(0.9, 0));
                 Optimizer first = new SgdFactory().create(gb, options(0.9, 0))) {
                for (int t = 0; t < 3; t++) {
                    backward(a, grad);
                    straight.step();
                    backward(b, grad);
                    first.step();
                }
                OptimizerState saved = first.state();
                try (Optimizer resumed = new SgdFactory().create(gb, options(0.9, 0))) {
                    resumed.restore(saved);
                    for (int t = 0; t < 3; t++) {
                        backward(a, grad);
                        straight.step();
                        backward(b, grad);
                        resumed.step();
                    }
                    assertArrayEquals(a.toFloatArray(), b.toFloatArray());
                    assertEquals(6, resumed.stepCount());
                }
            }
        }
    }

    @Test
    void refusesAGroupWithoutLearningRate() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(new float[] {1f});
            List<ParameterGroup> groups = List.of(new ParameterGroup("unet", List.of(new Parameter("w", w)), null));
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> new SgdFactory().create(groups, options(0, 0)));
            assertEquals(true, e.getMessage().contains("unet"));
        }
    }

    /** Gives {@code w} exactly the gradient {@code grad}: d/dw sum(w * grad) = grad. */
    private static void backward(NDArray w, float[] grad) {
        if (w.hasGradient()) {
            w.getGradient().subi(w.getGradient());
        }
        try (NDManager scope = w.getManager().newSubManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray g = scope.create(grad);
            collector.backward(w.mul(g).sum());
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
