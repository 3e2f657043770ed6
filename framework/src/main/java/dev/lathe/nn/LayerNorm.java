package dev.lathe.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Layer normalization over the last dimension with affine parameters (libtorch's fused kernel).
 * Checkpoint keys: {@code <name>.weight [C]}, {@code <name>.bias [C]}.
 */
public final class LayerNorm {

    private final NDArray weight;
    private final NDArray bias;
    private final Shape normalized;
    private final float eps;

    private LayerNorm(NDArray weight, NDArray bias, long channels, float eps) {
        this.weight = weight;
        this.bias = bias;
        this.normalized = new Shape(channels);
        this.eps = eps;
    }

    public static LayerNorm load(Weights w, long channels, float eps) {
        return new LayerNorm(w.get("weight", channels), w.get("bias", channels), channels, eps);
    }

    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal().layerNorm(x, normalized, weight, bias, eps).singletonOrThrow();
    }
}
