package dev.lathe.api.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.Objects;

/**
 * What the denoising network is conditioned on, batched along the first dimension.
 *
 * @param context the text encoders' hidden states {@code [B, N, D]} (cross-attention input)
 * @param vector  SDXL's pooled-text and size vector {@code [B, adm]}; null for SD 1.x/2.x
 */
public record Conditioning(NDArray context, NDArray vector) {

    public Conditioning {
        Objects.requireNonNull(context, "context");
    }

    /** The arrays as one list: context, then the vector when there is one (the samplers' shape). */
    public NDList asList() {
        return vector == null ? new NDList(context) : new NDList(context, vector);
    }

    /** The inverse of {@link #asList()}. */
    public static Conditioning of(NDList arrays) {
        return new Conditioning(arrays.get(0), arrays.size() > 1 ? arrays.get(1) : null);
    }
}
