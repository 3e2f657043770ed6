package dev.lathe.nn;

import ai.djl.ndarray.NDArray;

/**
 * A contribution added to the output of an {@link AdaptableLayer}, computed from the layer's
 * input: {@code y = layer(x) + Σ adapter.apply(x)}. A LoRA is one: {@code apply(x) = scale ·
 * up(down(x))}, with {@code down}/{@code up} a Linear pair for a Linear layer, or for a Conv2d a
 * conv with the layer's kernel, stride and padding followed by a 1x1 conv.
 *
 * <p>The base weights are never copied or changed: an adapter is attached with {@link
 * AdaptableLayer#addAdapter} and removed again with {@link AdaptableLayer#removeAdapter}.
 *
 * <p>Contract: return a new array of the layer's output shape (the layer adds it to its output,
 * possibly in place), or null for no contribution this time (a dropped module); never modify {@code input}, which is shared with the layer and other
 * adapters. Under autograd keep the arrays your result depends on alive until {@code backward()}
 * (use array scalars, not {@code Number} overloads; see {@link Constants}).
 */
@FunctionalInterface
public interface Adapter {

    /** The contribution for {@code input}, of the layer's output shape, or null for none. */
    NDArray apply(NDArray input);
}
