package dev.lathe.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Group normalization of {@code [B, C, ...]}: statistics per sample over the channels of each of
 * {@code groups} groups and all positions (biased variance), then a per-channel affine.
 * Checkpoint keys: {@code <name>.weight [C]}, {@code <name>.bias [C]}.
 *
 * <p>DJL exposes no group norm, so this is libtorch's fused layer norm over {@code [B, G, n]}
 * (the same statistics) followed by the affine. Without autograd the affine is done in place on
 * the fresh normalized array. While autograd records, it is done out of place even for frozen
 * parameters: the normalized array is a reshaped view of the layer norm's output, and an in-place
 * operation on a view makes autograd rebase the view's history ({@code CopySlices}), whose
 * backward copies the whole gradient twice more; out of place, a GroupNorm's forward and backward
 * together take 25-30 % less time at the shapes of an SD training step (docs/PERFORMANCE.md, "Training step").
 */
public final class GroupNorm {

    private final NDArray weight;
    private final NDArray bias;
    /** weight and bias as [C, 1, 1] views, for NCHW inputs. */
    private final NDArray weight4;
    private final NDArray bias4;
    private final int groups;
    private final long channels;
    private final float eps;
    private final Constants constants;

    private GroupNorm(NDArray weight, NDArray bias, int groups, long channels, float eps, Constants constants) {
        this.weight = weight;
        this.bias = bias;
        this.weight4 = weight == null ? null : Weights.keep(weight.reshape(channels, 1, 1));
        this.bias4 = bias == null ? null : Weights.keep(bias.reshape(channels, 1, 1));
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        this.constants = constants;
    }

    public static GroupNorm load(Weights w, int groups, long channels, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels cannot form " + groups + " groups");
        }
        return new GroupNorm(w.get("weight", channels), w.get("bias", channels), groups, channels, eps, w.constants());
    }

    /** SD's GroupNorm: 32 groups. */
    public static GroupNorm load32(Weights w, long channels, float eps) {
        return load(w, 32, channels, eps);
    }

    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        long batch = shape.get(0);
        long n = shape.size() / batch / groups;
        NDArray y;
        try (NDArray grouped = x.reshape(batch, groups, n)) {
            NDArray normalized = grouped.getNDArrayInternal()
                    .layerNorm(grouped, new Shape(n), constants.ones(n), constants.zeros(n), eps).singletonOrThrow();
            y = normalized.reshape(shape);
            normalized.close();
        }
        boolean outOfPlace = weight.hasGradient() || bias.hasGradient() || Autograd.recording();
        if (shape.dimension() == 4) {
            return affine(y, weight4, bias4, outOfPlace);
        }
        long[] affine = new long[shape.dimension() - 1];
        java.util.Arrays.fill(affine, 1);
        affine[0] = channels;
        try (NDArray w = weight.reshape(affine); NDArray b = bias.reshape(affine)) {
            return affine(y, w, b, outOfPlace);
        }
    }

    /**
     * {@code y·w + b}, in place on {@code y} unless {@code outOfPlace}; then the bias is still
     * added in place to the fresh product, which no backward reads.
     */
    private static NDArray affine(NDArray y, NDArray w, NDArray b, boolean outOfPlace) {
        if (outOfPlace) {
            return y.mul(w).addi(b);
        }
        return y.muli(w).addi(b);
    }
}
