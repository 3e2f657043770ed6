package dev.lathe.nn.clip;

import ai.djl.ndarray.NDArray;
import dev.lathe.nn.Functional;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Weights;

/**
 * CLIP's causal self-attention ({@code self_attn}): {@code q_proj}, {@code k_proj}, {@code v_proj}
 * (with bias), multi-head scaled dot-product attention with the causal mask, {@code out_proj}.
 */
public final class ClipAttention {

    final Linear qProj;
    final Linear kProj;
    final Linear vProj;
    final Linear outProj;
    private final int heads;
    private final NDArray scale;

    private ClipAttention(Weights w, long width, int heads) {
        this.heads = heads;
        qProj = Linear.load(w.at("q_proj"), width, width, true);
        kProj = Linear.load(w.at("k_proj"), width, width, true);
        vProj = Linear.load(w.at("v_proj"), width, width, true);
        outProj = Linear.load(w.at("out_proj"), width, width, true);
        scale = w.constants().scalar((float) (1.0 / Math.sqrt((double) width / heads)));
    }

    public static ClipAttention load(Weights w, long width, int heads) {
        return new ClipAttention(w, width, heads);
    }

    /** @param mask additive causal mask {@code [N, N]} */
    public NDArray forward(NDArray x, NDArray mask) {
        return outProj.forward(Functional.attention(qProj.forward(x), kProj.forward(x), vProj.forward(x), heads, scale, mask));
    }
}
