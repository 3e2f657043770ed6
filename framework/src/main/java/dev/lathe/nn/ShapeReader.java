package dev.lathe.nn;

import dev.lathe.safetensors.TensorInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Reads an architecture off a checkpoint's tensor names and shapes (no tensor data), collecting
 * every anchor tensor that is missing or of the wrong rank instead of failing at the first, so
 * that a family can name them all in one message. The blocks' configs read themselves with it
 * ({@code UNetDimensions.read}, {@code VaeConfig.read}, {@code ClipTextDimensions.read}).
 */
public final class ShapeReader {

    private final Map<String, TensorInfo> tensors;
    private final UnaryOperator<String> describe;
    private final List<String> problems = new ArrayList<>();

    /** @param tensors the checkpoint's tensors under canonical names */
    public ShapeReader(Map<String, TensorInfo> tensors) {
        this.tensors = tensors;
        this.describe = name -> name;
    }

    /**
     * A reader of {@code source}'s canonical names that names tensors in problems as the source
     * describes them (in the file's own layout).
     */
    public ShapeReader(WeightSource source) {
        this.tensors = source.infos();
        this.describe = source::describe;
    }

    /** The shape of {@code name} if it exists with {@code rank} dimensions; else records a problem and returns null. */
    public long[] shape(String name, int rank) {
        TensorInfo info = tensors.get(name);
        if (info == null || info.rank() != rank) {
            problems.add(info == null ? describe(name) : describe(name) + " (rank " + info.rank() + ", expected " + rank + ")");
            return null;
        }
        return info.shape();
    }

    /** The tensor entry, or null (no problem recorded). */
    public TensorInfo info(String name) {
        return tensors.get(name);
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** Whether any tensor name starts with {@code prefix}. */
    public boolean hasPrefix(String prefix) {
        for (String name : tensors.keySet()) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * How many numbered children {@code <prefix><i>.} exist: the largest {@code i} + 1, or 0
     * when there is none. {@code prefix} is literal, e.g. {@code model.diffusion_model.input_blocks.}.
     */
    public int count(String prefix) {
        return maxIndex(Pattern.quote(prefix) + "(\\d+)\\..*") + 1;
    }

    /** The largest number captured by group 1 of {@code regex} over all names, or -1. */
    public int maxIndex(String regex) {
        Pattern p = Pattern.compile(regex);
        int max = -1;
        for (String name : tensors.keySet()) {
            Matcher m = p.matcher(name);
            if (m.matches()) {
                max = Math.max(max, Integer.parseInt(m.group(1)));
            }
        }
        return max;
    }

    /** How the source names {@code name} to the user. */
    public String describe(String name) {
        return describe.apply(name);
    }

    /** Records a problem found by the caller. */
    public void problem(String problem) {
        problems.add(problem);
    }

    /** Every problem recorded, in the order found. */
    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
