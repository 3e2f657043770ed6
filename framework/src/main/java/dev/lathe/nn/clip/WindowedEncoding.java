package dev.lathe.nn.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lathe.nn.Scopes;
import dev.lathe.text.ClipTokenizer;
import dev.lathe.text.EmphasisWeights;
import dev.lathe.text.PromptChunks;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Encodes prompts of several 77-token windows the way AUTOMATIC1111 and kohya do: each window
 * through the text encoder on its own, emphasis applied per window, the windows' hidden states
 * concatenated along the token axis ({@code [B, 77·k, C]}).
 */
public final class WindowedEncoding {

    private WindowedEncoding() {
    }

    /**
     * @param prompts one {@link PromptChunks} per prompt, all with the same number of windows
     * @param encoder token ids {@code [B, 77]} (int32) to hidden states {@code [B, 77, C]}
     */
    public static NDArray encode(NDManager manager, List<PromptChunks> prompts, UnaryOperator<NDArray> encoder) {
        return encodeWithSummary(manager, prompts, ids -> new NDList(encoder.apply(ids))).get(0);
    }

    /**
     * As {@link #encode}, for an encoder that also summarizes each window, such as SDXL's second
     * text encoder with its pooled output: the windows' hidden states as {@code encode} returns
     * them, followed by the first window's other outputs (A1111 takes SDXL's pooled vector from
     * a long prompt's first window).
     *
     * @param encoder token ids {@code [B, 77]} to hidden states {@code [B, 77, C]} followed by
     *                any number of per-window outputs
     * @return the hidden states {@code [B, 77·k, C]}, then the first window's other outputs
     */
    public static NDList encodeWithSummary(NDManager manager, List<PromptChunks> prompts,
                                           Function<NDArray, NDList> encoder) {
        int windows = prompts.get(0).count();
        for (PromptChunks p : prompts) {
            if (p.count() != windows) {
                throw new IllegalArgumentException("every prompt of a batch needs the same number of windows");
            }
        }
        return Scopes.runAll(() -> {
            NDList parts = new NDList();
            NDList summary = new NDList();
            for (int w = 0; w < windows; w++) {
                NDList outputs = encoder.apply(windowIds(manager, prompts, w));
                parts.add(outputs.get(0));
                if (w == 0) {
                    summary.addAll(outputs.subNDList(1));
                }
            }
            NDArray hidden = windows == 1 ? parts.get(0) : NDArrays.concat(parts, 1);
            float[] weights = new float[prompts.size() * windows * ClipTokenizer.CONTEXT_LENGTH];
            int at = 0;
            for (PromptChunks p : prompts) {
                float[] flat = p.flatWeights();
                System.arraycopy(flat, 0, weights, at, flat.length);
                at += flat.length;
            }
            NDList result = new NDList(EmphasisWeights.isNeutral(weights) ? hidden : EmphasisWeights.apply(hidden, weights));
            result.addAll(summary);
            return result;
        });
    }

    /** Window {@code w} of every prompt as one {@code [B, 77]} batch of ids. */
    public static NDArray windowIds(NDManager manager, List<PromptChunks> prompts, int w) {
        int[] ids = new int[prompts.size() * ClipTokenizer.CONTEXT_LENGTH];
        for (int b = 0; b < prompts.size(); b++) {
            System.arraycopy(prompts.get(b).ids().get(w), 0, ids, b * ClipTokenizer.CONTEXT_LENGTH,
                    ClipTokenizer.CONTEXT_LENGTH);
        }
        return manager.create(ids, new Shape(prompts.size(), ClipTokenizer.CONTEXT_LENGTH));
    }

    /** Single 77-token windows, one per text, as {@code [B, 77]} ids. */
    public static NDArray ids(NDManager manager, List<int[]> windows) {
        int[] ids = new int[windows.size() * ClipTokenizer.CONTEXT_LENGTH];
        for (int b = 0; b < windows.size(); b++) {
            System.arraycopy(windows.get(b), 0, ids, b * ClipTokenizer.CONTEXT_LENGTH, ClipTokenizer.CONTEXT_LENGTH);
        }
        return manager.create(ids, new Shape(windows.size(), ClipTokenizer.CONTEXT_LENGTH));
    }
}
