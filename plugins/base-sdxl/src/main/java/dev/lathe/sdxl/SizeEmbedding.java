package dev.lathe.sdxl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lathe.api.model.SizeConditioning;
import dev.lathe.nn.Functional;
import java.util.List;

/**
 * SDXL's micro-conditioning: each of the six numbers original height, width, crop top, left,
 * target height, width is embedded like a timestep, as 256 values
 * {@code [cos(s·f_0) .. cos(s·f_127), sin(s·f_0) .. sin(s·f_127)]} with
 * {@code f_i = exp(−ln(10000)·i/128)}, and the six embeddings are concatenated, {@code [B, 1536]}.
 * The UNet's vector input is the pooled text embedding followed by this.
 */
final class SizeEmbedding {

    private SizeEmbedding() {
    }

    /** The six numbers of each size conditioning, in SDXL's order, as a float32 {@code [B·6]} array. */
    static NDArray values(NDManager manager, List<SizeConditioning> sizes) {
        float[] values = new float[sizes.size() * SdxlArchitecture.SIZE_VALUES];
        int at = 0;
        for (SizeConditioning s : sizes) {
            values[at++] = s.originalHeight();
            values[at++] = s.originalWidth();
            values[at++] = s.cropTop();
            values[at++] = s.cropLeft();
            values[at++] = s.targetHeight();
            values[at++] = s.targetWidth();
        }
        return manager.create(values, new Shape(values.length));
    }

    /** The embedding {@code [B, 1536]} of {@code sizes}, float32, on {@code manager}'s device. */
    static NDArray embed(NDManager manager, List<SizeConditioning> sizes) {
        NDArray embedded = Functional.timestepEmbedding(values(manager, sizes), SdxlArchitecture.SIZE_EMBEDDING_CHANNELS,
                DataType.FLOAT32);
        return embedded.reshape(sizes.size(), (long) SdxlArchitecture.SIZE_VALUES * SdxlArchitecture.SIZE_EMBEDDING_CHANNELS);
    }
}
