package dev.lathe.nn.unet;

import ai.djl.ndarray.NDArray;
import dev.lathe.nn.LayerNorm;
import dev.lathe.nn.Weights;

/**
 * Pre-norm transformer block over tokens {@code [B, N, C]}:
 * <pre>
 *   x = attn1( norm1(x) ) + x              self-attention
 *   x = attn2( norm2(x), context ) + x     cross-attention to the text context
 *   x = ff( norm3(x) ) + x                 GEGLU feed-forward
 * </pre>
 * LayerNorms with eps 1e-5.
 */
public final class BasicTransformerBlock {

    public static final float EPS = 1e-5f;

    final LayerNorm norm1;
    final CrossAttention attn1;
    final LayerNorm norm2;
    final CrossAttention attn2;
    final LayerNorm norm3;
    final FeedForward ff;

    private BasicTransformerBlock(Weights w, long channels, long contextDim, int heads) {
        norm1 = LayerNorm.load(w.at("norm1"), channels, EPS);
        attn1 = CrossAttention.load(w.at("attn1"), channels, channels, heads);
        norm2 = LayerNorm.load(w.at("norm2"), channels, EPS);
        attn2 = CrossAttention.load(w.at("attn2"), channels, contextDim, heads);
        norm3 = LayerNorm.load(w.at("norm3"), channels, EPS);
        ff = FeedForward.load(w.at("ff"), channels);
    }

    public static BasicTransformerBlock load(Weights w, long channels, long contextDim, int heads) {
        return new BasicTransformerBlock(w, channels, contextDim, heads);
    }

    public NDArray forward(NDArray x, NDArray context) {
        x = attn1.forward(norm1.forward(x), null).addi(x);
        x = attn2.forward(norm2.forward(x), context).addi(x);
        x = ff.forward(norm3.forward(x)).addi(x);
        return x;
    }
}
