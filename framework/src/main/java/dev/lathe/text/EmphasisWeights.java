package dev.lathe.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

/**
 * Prompt emphasis applied to a text encoder's output, as AUTOMATIC1111's default ("Original")
 * emphasis does: each token's hidden state is multiplied by its weight, then the whole window is
 * rescaled so that its mean is what it was before ({@code z *= w; z *= mean_before / mean_after}).
 * Without the rescaling, weights would mostly change the conditioning's overall scale instead of
 * the balance between tokens.
 *
 * <p>The mean is taken per prompt and per 77-token window, over tokens and channels. A1111
 * encodes window by window, so its mean is per window too; but it takes the mean over the whole
 * batch it encodes at once, which makes one prompt's conditioning depend on the other prompts in
 * the batch. Here each prompt stands alone, which is what A1111 computes for a batch of one (its
 * usual case).
 */
public final class EmphasisWeights {

    private EmphasisWeights() {
    }

    /**
     * {@code hidden} with the emphasis applied, as a new array on {@code hidden}'s manager.
     *
     * @param hidden  the encoder output {@code [B, 77·k, C]}, any float type
     * @param weights one weight per token: {@code 77·k} values used for every prompt of the batch,
     *                or {@code B·77·k} values, prompt after prompt ({@link PromptChunks#flatWeights})
     */
    @SuppressWarnings("try") // the scope is only opened and closed: it frees the intermediates
    public static NDArray apply(NDArray hidden, float[] weights) {
        Shape shape = hidden.getShape();
        if (shape.dimension() != 3 || shape.get(1) % ClipTokenizer.CONTEXT_LENGTH != 0) {
            throw new IllegalArgumentException("hidden states must be [batch, 77·windows, channels], not " + shape);
        }
        long batch = shape.get(0);
        long tokens = shape.get(1);
        long windows = tokens / ClipTokenizer.CONTEXT_LENGTH;
        if (weights.length != tokens && weights.length != batch * tokens) {
            throw new IllegalArgumentException(weights.length + " weights for hidden states " + shape
                    + ": give one per token (" + tokens + ") or one per token of each prompt (" + batch * tokens + ")");
        }
        long weightRows = weights.length == tokens ? 1 : batch;
        Shape windowed = new Shape(batch, windows, ClipTokenizer.CONTEXT_LENGTH, shape.get(2));
        try (NDScope scope = new NDScope()) {
            NDArray z = hidden.reshape(windowed);
            Shape weightShape = new Shape(weightRows, windows, ClipTokenizer.CONTEXT_LENGTH, 1);
            NDArray w = hidden.getManager().create(weights, weightShape).toType(hidden.getDataType(), false);
            NDArray weighted = z.mul(w);
            NDArray scale = windowMeans(z).div(windowMeans(weighted));
            NDArray result = weighted.mul(scale).reshape(shape);
            NDScope.unregister(result);
            return result;
        }
    }

    /**
     * The mean of each window over its tokens and channels, {@code [B, k, 77, C]} to
     * {@code [B, k, 1, 1]} (flattened first: PyTorch's DJL mean takes one axis).
     */
    private static NDArray windowMeans(NDArray windows) {
        Shape shape = windows.getShape();
        return windows.reshape(shape.get(0), shape.get(1), -1).mean(new int[] {2}, true)
                .reshape(shape.get(0), shape.get(1), 1, 1);
    }

    /** Whether {@code weights} would change nothing (all 1), so {@link #apply} can be skipped. */
    public static boolean isNeutral(float[] weights) {
        for (float w : weights) {
            if (w != 1f) {
                return false;
            }
        }
        return true;
    }
}
