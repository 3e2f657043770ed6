package dev.lathe.nn.unet;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * One entry of {@code input_blocks}, {@code middle_block} or {@code output_blocks}: its layers
 * ({@code .0}, {@code .1}, {@code .2}) applied in order, as LDM's {@code TimestepEmbedSequential}.
 */
public final class UNetBlock {

    private final List<UNetLayer> layers;

    UNetBlock(List<UNetLayer> layers) {
        this.layers = List.copyOf(layers);
    }

    /** The layers in order: ResBlock, SpatialTransformer, Downsample, Upsample or the input conv. */
    public List<UNetLayer> layers() {
        return layers;
    }

    public NDArray forward(NDArray h, NDArray emb, NDArray context) {
        NDArray x = h;
        for (UNetLayer layer : layers) {
            x = layer.forward(x, emb, context);
        }
        return x;
    }
}
