package dev.lathe.nn.unet;

import ai.djl.ndarray.NDArray;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Functional;
import dev.lathe.nn.Weights;

/** Doubles the resolution: nearest-neighbour ×2, then {@code conv}, a 3x3 conv with padding 1. */
public final class Upsample implements UNetLayer {

    final Conv2d conv;

    private Upsample(Weights w, long channels) {
        conv = Conv2d.load3x3(w.at("conv"), channels, channels);
    }

    public static Upsample load(Weights w, long channels) {
        return new Upsample(w, channels);
    }

    @Override
    public NDArray forward(NDArray h, NDArray emb, NDArray context) {
        return conv.forward(Functional.upsampleNearest2x(h));
    }
}
