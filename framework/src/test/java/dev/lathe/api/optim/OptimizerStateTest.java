package dev.lathe.api.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import dev.lathe.safetensors.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerStateTest {

    private static Tensor zeros(long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        return Tensor.ofFloats(shape, new float[n]);
    }

    @Test
    void acceptsItsOwnStateAndReturnsTheStepCount() {
        OptimizerState state = new OptimizerState(Map.of("w.exp_avg", zeros(2, 3)),
                Map.of(OptimizerState.OPTIMIZER, "adamw", OptimizerState.STEP, "42"));
        assertEquals(42, state.requireOptimizer("adamw"));
        state.requireTensors("adamw", Map.of("w.exp_avg", new long[] {2, 3}));
    }

    @Test
    void refusesAStateOfAnotherOptimizerOrWithoutAStepCount() {
        OptimizerState foreign = new OptimizerState(Map.of(), Map.of(OptimizerState.OPTIMIZER, "lion", OptimizerState.STEP, "1"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> foreign.requireOptimizer("adamw"));
        assertTrue(e.getMessage().contains("\"lion\"") && e.getMessage().contains("\"adamw\""), e.getMessage());

        OptimizerState broken = new OptimizerState(Map.of(), Map.of(OptimizerState.OPTIMIZER, "adamw", OptimizerState.STEP, "x"));
        InvalidInputException step = assertThrows(InvalidInputException.class, () -> broken.requireOptimizer("adamw"));
        assertTrue(step.getMessage().contains("step count"), step.getMessage());
    }

    @Test
    void namesEveryMissingUnexpectedAndMisshapedTensor() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a.exp_avg", zeros(4));
        tensors.put("old.exp_avg", zeros(2));
        tensors.put("c.exp_avg", zeros(3, 3));
        OptimizerState state = new OptimizerState(tensors, Map.of());
        Map<String, long[]> expected = Map.of("a.exp_avg", new long[] {4}, "b.exp_avg", new long[] {1},
                "c.exp_avg", new long[] {3, 2});
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> state.requireTensors("adamw", expected));
        String message = e.getMessage();
        assertTrue(message.contains("missing b.exp_avg"), message);
        assertTrue(message.contains("unexpected old.exp_avg"), message);
        assertTrue(message.contains("c.exp_avg has shape [3, 3] but the parameter needs [3, 2]"), message);
    }

    @Test
    void longListsAreAbbreviated() {
        Map<String, long[]> expected = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            expected.put("p" + i + ".exp_avg", new long[] {1});
        }
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new OptimizerState(Map.of(), Map.of()).requireTensors("adamw", expected));
        assertTrue(e.getMessage().contains("and 7 more"), e.getMessage());
    }
}
