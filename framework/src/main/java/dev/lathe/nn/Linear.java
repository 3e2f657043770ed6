package dev.lathe.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * {@code y = x·Wᵀ + b} over the last dimension, with adapters ({@link Adapter}) added to the
 * output. Checkpoint keys: {@code <name>.weight [out, in]}, {@code <name>.bias [out]} (optional).
 */
public final class Linear implements AdaptableLayer {

    private final String name;
    private final NDArray weight;
    private final NDArray bias;
    private final long in;
    private final long out;
    private final AdapterList adapters = new AdapterList();

    private Linear(String name, NDArray weight, NDArray bias, long in, long out) {
        this.name = name;
        this.weight = weight;
        this.bias = bias;
        this.in = in;
        this.out = out;
    }

    /** Loads {@code weight [out, in]} and, if {@code bias}, {@code bias [out]} at {@code w}. */
    public static Linear load(Weights w, long in, long out, boolean bias) {
        return w.register(new Linear(w.path(""), w.get("weight", out, in), bias ? w.get("bias", out) : null, in, out));
    }

    public NDArray forward(NDArray x) {
        NDArray y = x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
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

    /** The bias, or null. */
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
        return "Linear(" + in + " -> " + out + ") " + name;
    }
}
