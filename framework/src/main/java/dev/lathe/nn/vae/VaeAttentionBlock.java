package dev.lathe.nn.vae;

import ai.djl.ndarray.NDArray;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Functional;
import dev.lathe.nn.GroupNorm;
import dev.lathe.nn.Weights;

/**
 * The VAE mid-block attention ({@code attn_1}): one head over all H·W positions.
 * <pre>
 *   n = norm(x)                                  GroupNorm(32, eps 1e-6)
 *   q, k, v = q(n), k(n), v(n)                   1x1 convs with bias
 *   a = softmax( q·kᵀ / sqrt(C) )·v              over positions, as tokens [B, H·W, C]
 *   return x + proj_out(a)                       1x1 conv
 * </pre>
 */
public final class VaeAttentionBlock {

    final GroupNorm norm;
    final Conv2d q;
    final Conv2d k;
    final Conv2d v;
    final Conv2d projOut;
    private final NDArray scale;

    private VaeAttentionBlock(Weights w, long channels) {
        norm = GroupNorm.load32(w.at("norm"), channels, VaeResnetBlock.EPS);
        q = Conv2d.load1x1(w.at("q"), channels, channels);
        k = Conv2d.load1x1(w.at("k"), channels, channels);
        v = Conv2d.load1x1(w.at("v"), channels, channels);
        projOut = Conv2d.load1x1(w.at("proj_out"), channels, channels);
        scale = w.constants().scalar((float) (1.0 / Math.sqrt(channels)));
    }

    public static VaeAttentionBlock load(Weights w, long channels) {
        return new VaeAttentionBlock(w, channels);
    }

    public NDArray forward(NDArray x) {
        long height = x.getShape().get(2);
        long width = x.getShape().get(3);
        NDArray n = norm.forward(x);
        NDArray a = Functional.attention(Functional.toTokens(q.forward(n)), Functional.toTokens(k.forward(n)),
                Functional.toTokens(v.forward(n)), 1, scale, null);
        return projOut.forward(Functional.fromTokens(a, height, width)).addi(x);
    }
}
