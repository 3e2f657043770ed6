package dev.lathe.nn.unet;

import ai.djl.ndarray.NDArray;

/**
 * One layer of a UNet block (LDM's {@code TimestepEmbedSequential}): a ResBlock uses the timestep
 * embedding, a SpatialTransformer the context, the samplers neither.
 */
@FunctionalInterface
public interface UNetLayer {

    /**
     * @param h       activations {@code [B, C, H, W]}
     * @param emb     timestep (and label) embedding {@code [B, timeEmbedDim]}
     * @param context cross-attention context {@code [B, tokens, contextDim]}
     */
    NDArray forward(NDArray h, NDArray emb, NDArray context);
}
