package dev.lathe.api.optim;

import dev.lathe.api.InvalidInputException;
import dev.lathe.safetensors.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A saved optimizer state: tensors (moments, factored second moments) by name and scalar values
 * (step count, optimizer id, options) as strings, so it fits a safetensors file with metadata.
 *
 * <p>Conventions every optimizer follows, so a training state can be inspected without knowing
 * the optimizer: tensor names are {@code <parameter name>.<slot>} (slots named as in the
 * reference implementation, e.g. {@code exp_avg}); the values hold {@value #OPTIMIZER} (the
 * factory id) and {@value #STEP} (steps taken), plus the optimizer's options under their option
 * names. Tensors are heap copies, float32 (float64 for float64 parameters).
 */
public record OptimizerState(Map<String, Tensor> tensors, Map<String, String> values) {

    /** Value key: the id of the optimizer that wrote the state. */
    public static final String OPTIMIZER = "optimizer";
    /** Value key: number of steps taken. */
    public static final String STEP = "step";

    public OptimizerState {
        tensors = Map.copyOf(tensors);
        values = Map.copyOf(values);
    }

    /**
     * Checks that this state was written by optimizer {@code id} and returns its step count.
     *
     * @throws InvalidInputException when another optimizer wrote it or the step count is missing
     */
    public long requireOptimizer(String id) {
        String writer = values.get(OPTIMIZER);
        if (!id.equals(writer)) {
            throw new InvalidInputException("The saved optimizer state was written by "
                    + (writer == null ? "an unknown optimizer" : "the \"" + writer + "\" optimizer")
                    + ", not by \"" + id + "\": resume with the optimizer the run was started with, "
                    + "or start the training from scratch.");
        }
        String step = values.get(STEP);
        try {
            long steps = Long.parseLong(step);
            if (steps < 0) {
                throw new NumberFormatException();
            }
            return steps;
        } catch (NumberFormatException | NullPointerException e) {
            throw new InvalidInputException("The saved " + id + " optimizer state has no valid step count (\""
                    + STEP + "\" = " + step + "); the training state is damaged: resume from an earlier one.");
        }
    }

    /**
     * Checks that the tensors are exactly {@code expected} (name to shape): none missing, none
     * extra, every shape equal.
     *
     * @throws InvalidInputException listing every missing, unexpected and mis-shaped tensor
     */
    public void requireTensors(String id, Map<String, long[]> expected) {
        List<String> problems = new ArrayList<>();
        TreeSet<String> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(tensors.keySet());
        TreeSet<String> extra = new TreeSet<>(tensors.keySet());
        extra.removeAll(expected.keySet());
        if (!missing.isEmpty()) {
            problems.add("missing " + abbreviate(missing));
        }
        if (!extra.isEmpty()) {
            problems.add("unexpected " + abbreviate(extra));
        }
        new TreeSet<>(expected.keySet()).forEach(name -> {
            Tensor t = tensors.get(name);
            if (t != null && !Arrays.equals(t.shape(), expected.get(name))) {
                problems.add(name + " has shape " + Arrays.toString(t.shape()) + " but the parameter needs "
                        + Arrays.toString(expected.get(name)));
            }
        });
        if (!problems.isEmpty()) {
            throw new InvalidInputException("The saved " + id + " optimizer state does not fit the parameters being "
                    + "trained (" + String.join("; ", problems) + "). A state can only be resumed with the same "
                    + "network (module names, rank) and the same optimizer options that shape the state.");
        }
    }

    private static String abbreviate(TreeSet<String> names) {
        List<String> shown = new ArrayList<>(names).subList(0, Math.min(5, names.size()));
        return String.join(", ", shown) + (names.size() > shown.size() ? " and " + (names.size() - shown.size()) + " more" : "");
    }
}
