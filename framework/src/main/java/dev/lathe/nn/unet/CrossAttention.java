package dev.lathe.nn.unet;

import ai.djl.ndarray.NDArray;
import dev.lathe.nn.Functional;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Weights;

/**
 * LDM's CrossAttention: {@code to_q(x)}, {@code to_k(c)}, {@code to_v(c)} (no bias) with
 * {@code c = x} for self-attention and the text context for cross-attention; multi-head scaled
 * dot-product attention without mask; {@code to_out.0} (with bias).
 */
public final class CrossAttention {

    final Linear toQ;
    final Linear toK;
    final Linear toV;
    final Linear toOut0;
    private final int heads;
    private final NDArray scale;

    private CrossAttention(Weights w, long channels, long contextDim, int heads) {
        this.heads = heads;
        toQ = Linear.load(w.at("to_q"), channels, channels, false);
        toK = Linear.load(w.at("to_k"), contextDim, channels, false);
        toV = Linear.load(w.at("to_v"), contextDim, channels, false);
        toOut0 = Linear.load(w.at("to_out.0"), channels, channels, true);
        scale = w.constants().scalar((float) (1.0 / Math.sqrt((double) channels / heads)));
    }

    /** Self-attention when {@code contextDim == channels} and forward gets no context. */
    public static CrossAttention load(Weights w, long channels, long contextDim, int heads) {
        return new CrossAttention(w, channels, contextDim, heads);
    }

    /** @param context {@code [B, M, contextDim]}, or null for self-attention */
    public NDArray forward(NDArray x, NDArray context) {
        NDArray c = context == null ? x : context;
        NDArray attended = Functional.attention(toQ.forward(x), toK.forward(c), toV.forward(c), heads, scale, null);
        return toOut0.forward(attended);
    }
}
