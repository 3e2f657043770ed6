package dev.lathe.nn.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.lathe.nn.Autograd;
import dev.lathe.nn.Functional;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Weights;

/**
 * The GEGLU feed-forward of the UNet transformer blocks:
 * <pre>
 *   a, g = split( net.0.proj(x) )      Linear(C → 2·inner), first half a, second half g
 *   return net.2( a · GELU(g) )        exact GELU; Linear(inner → C); inner = 4·C
 * </pre>
 */
public final class FeedForward {

    final Linear net0Proj;
    final Linear net2;
    private final long inner;

    private FeedForward(Weights w, long channels, long inner) {
        this.inner = inner;
        net0Proj = Linear.load(w.at("net.0.proj"), channels, 2 * inner, true);
        net2 = Linear.load(w.at("net.2"), inner, channels, true);
    }

    public static FeedForward load(Weights w, long channels) {
        return new FeedForward(w, channels, 4 * channels);
    }

    public NDArray forward(NDArray x) {
        NDArray projected = net0Proj.forward(x);
        NDList halves = projected.split(new long[] {inner}, projected.getShape().dimension() - 1);
        NDArray a = halves.get(0);
        NDArray gate = Functional.gelu(halves.get(1));
        NDArray gated = Autograd.recording() ? a.mul(gate) : gate.muli(a);
        return net2.forward(gated);
    }
}
