package dev.lathe.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * 2-D convolution over NCHW with square kernel, stride and zero padding, with adapters
 * ({@link Adapter}) added to the output. Checkpoint keys: {@code <name>.weight [out, in, k, k]},
 * {@code <name>.bias [out]}.
 */
public final class Conv2d implements AdaptableLayer {

    private final String name;
    private final NDArray weight;
    private final NDArray bias;
    private final long in;
    private final long out;
    private final int kernel;
    private final Shape stride;
    private final Shape padding;
    private final AdapterList adapters = new AdapterList();

    private static final Shape DILATION = new Shape(1, 1);

    private Conv2d(String name, NDArray weight, NDArray bias, long in, long out, int kernel, int stride, int padding) {
        this.name = name;
        this.weight = weight;
        this.bias = bias;
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    /** Loads {@code weight [out, in, kernel, kernel]} and {@code bias [out]} at {@code w}. */
    public static Conv2d load(Weights w, long in, long out, int kernel, int stride, int padding) {
        return w.register(new Conv2d(w.path(""), w.get("weight", out, in, kernel, kernel), w.get("bias", out),
                in, out, kernel, stride, padding));
    }

    /** A 3x3 convolution with padding 1 and stride 1. */
    public static Conv2d load3x3(Weights w, long in, long out) {
        return load(w, in, out, 3, 1, 1);
    }

    /** A 1x1 convolution. */
    public static Conv2d load1x1(Weights w, long in, long out) {
        return load(w, in, out, 1, 1, 0);
    }

    public NDArray forward(NDArray x) {
        NDArray y = x.getNDArrayInternal().convolution(x, weight, bias, stride, padding, DILATION, 1).singletonOrThrow();
        return adapters.addContributions(y, x);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    @Override
    public long inFeatures() {
        return in;
    }

    @Override
    public long outFeatures() {
        return out;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return (int) stride.get(0);
    }

    public int padding() {
        return (int) padding.get(0);
    }

    @Override
    public void addAdapter(Adapter adapter) {
        adapters.add(adapter);
    }

    @Override
    public boolean removeAdapter(Adapter adapter) {
        return adapters.remove(adapter);
    }

    @Override
    public List<Adapter> adapters() {
        return adapters.list();
    }

    @Override
    public String toString() {
        return "Conv2d(" + in + " -> " + out + ", " + kernel + "x" + kernel + ", stride " + stride() + ") " + name;
    }
}
