package dev.lathe.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A prompt as one or more 77-token windows for the text encoder, with a weight per token.
 *
 * @param ids        one {@code int[77]} per window: start token, up to 75 prompt tokens, end token,
 *                   padding
 * @param weights    one {@code float[77]} per window: each token's emphasis (1 for the start, end
 *                   and padding tokens)
 * @param tokenCount how many tokens the prompt used, counting whole windows for all but the
 *                   last (A1111 shows this as "n/75")
 */
public record PromptChunks(List<int[]> ids, List<float[]> weights, int tokenCount) {

    public PromptChunks {
        if (ids.isEmpty() || ids.size() != weights.size()) {
            throw new IllegalArgumentException(ids.size() + " id windows and " + weights.size() + " weight windows");
        }
        ids = List.copyOf(ids);
        weights = List.copyOf(weights);
    }

    /** How many 77-token windows there are. */
    public int count() {
        return ids.size();
    }

    /** All windows' ids one after the other ({@code 77 × count()}). */
    public int[] flatIds() {
        int[] flat = new int[ClipTokenizer.CONTEXT_LENGTH * count()];
        for (int i = 0; i < count(); i++) {
            System.arraycopy(ids.get(i), 0, flat, i * ClipTokenizer.CONTEXT_LENGTH, ClipTokenizer.CONTEXT_LENGTH);
        }
        return flat;
    }

    /** All windows' weights one after the other, as {@link EmphasisWeights#apply} takes them. */
    public float[] flatWeights() {
        float[] flat = new float[ClipTokenizer.CONTEXT_LENGTH * count()];
        for (int i = 0; i < count(); i++) {
            System.arraycopy(weights.get(i), 0, flat, i * ClipTokenizer.CONTEXT_LENGTH, ClipTokenizer.CONTEXT_LENGTH);
        }
        return flat;
    }

    /**
     * These windows followed by {@code emptyWindow} (its ids; weights 1) until there are
     * {@code windows}: a positive and a negative prompt must have the same number of windows to
     * be encoded as one batch, and A1111 fills the shorter one with empty windows.
     */
    PromptChunks padTo(int windows, int[] emptyWindow) {
        if (windows <= count()) {
            return this;
        }
        List<int[]> paddedIds = new ArrayList<>(ids);
        List<float[]> paddedWeights = new ArrayList<>(weights);
        while (paddedIds.size() < windows) {
            paddedIds.add(emptyWindow.clone());
            float[] ones = new float[ClipTokenizer.CONTEXT_LENGTH];
            Arrays.fill(ones, 1f);
            paddedWeights.add(ones);
        }
        return new PromptChunks(paddedIds, paddedWeights, tokenCount);
    }
}
