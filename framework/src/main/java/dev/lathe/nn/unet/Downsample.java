package dev.lathe.nn.unet;

import ai.djl.ndarray.NDArray;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Weights;

/** Halves the resolution: {@code op}, a 3x3 conv with stride 2 and padding 1. */
public final class Downsample implements UNetLayer {

    final Conv2d op;

    private Downsample(Weights w, long channels) {
        op = Conv2d.load(w.at("op"), channels, channels, 3, 2, 1);
    }

    public static Downsample load(Weights w, long channels) {
        return new Downsample(w, channels);
    }

    @Override
    public NDArray forward(NDArray h, NDArray emb, NDArray context) {
        return op.forward(h);
    }
}
