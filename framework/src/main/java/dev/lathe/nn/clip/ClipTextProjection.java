package dev.lathe.nn.clip;

import ai.djl.ndarray.NDArray;
import dev.lathe.nn.Weights;

/**
 * The projection of a CLIP text model's pooled output into the joint image-text space (SDXL's
 * second encoder feeds it to the UNet's vector input). Two spellings of the same matrix:
 * <ul>
 * <li>OpenCLIP: {@code text_projection [W, P]}, applied as {@code x @ text_projection};
 * <li>Hugging Face {@code CLIPTextModelWithProjection}: a Linear without bias,
 *     {@code text_projection.weight [P, W]}, applied as {@code x @ weightᵀ}.
 * </ul>
 * The loader takes whichever the checkpoint has: the Linear when {@code text_projection.weight}
 * is present, else the OpenCLIP matrix (reported missing under that name).
 */
public final class ClipTextProjection {

    private final NDArray matrix;
    private final boolean linear;

    private ClipTextProjection(NDArray matrix, boolean linear) {
        this.matrix = matrix;
        this.linear = linear;
    }

    /**
     * Loads {@code text_projection} below {@code w}.
     *
     * @param width         the text model's width W
     * @param projectionDim the projected width P
     */
    public static ClipTextProjection load(Weights w, long width, long projectionDim) {
        if (w.has("text_projection.weight")) {
            return new ClipTextProjection(w.get("text_projection.weight", projectionDim, width), true);
        }
        return new ClipTextProjection(w.get("text_projection", width, projectionDim), false);
    }

    /** {@code pooled [B, W]} projected to {@code [B, P]}. */
    public NDArray forward(NDArray pooled) {
        return linear ? pooled.getNDArrayInternal().linear(pooled, matrix, null).singletonOrThrow() : pooled.matMul(matrix);
    }
}
