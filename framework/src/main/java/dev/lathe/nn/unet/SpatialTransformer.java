package dev.lathe.nn.unet;

import ai.djl.ndarray.NDArray;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Functional;
import dev.lathe.nn.GroupNorm;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * LDM's SpatialTransformer: attention over the positions of a feature map.
 * <pre>
 *   h = proj_in( norm(x) )                 GroupNorm(32, eps 1e-6); 1x1 conv (SD 1.x) or Linear (SD 2.x, SDXL)
 *   h: [B, C, H, W] → [B, H·W, C]          row-major over H then W
 *   h = transformer_blocks.k(h, context)   k = 0 .. depth-1
 *   h: [B, H·W, C] → [B, C, H, W]
 *   return proj_out(h) + x                 (the projections sit on the token side when Linear)
 * </pre>
 */
public final class SpatialTransformer implements UNetLayer {

    /** GroupNorm epsilon of the transformer's input norm. */
    public static final float EPS = 1e-6f;

    final GroupNorm norm;
    final Conv2d projInConv;
    final Linear projInLinear;
    final List<BasicTransformerBlock> transformerBlocks = new ArrayList<>();
    final Conv2d projOutConv;
    final Linear projOutLinear;

    private SpatialTransformer(Weights w, long channels, int depth, long contextDim, int heads, boolean linear) {
        norm = GroupNorm.load32(w.at("norm"), channels, EPS);
        projInConv = linear ? null : Conv2d.load1x1(w.at("proj_in"), channels, channels);
        projInLinear = linear ? Linear.load(w.at("proj_in"), channels, channels, true) : null;
        for (int k = 0; k < depth; k++) {
            transformerBlocks.add(BasicTransformerBlock.load(w.at("transformer_blocks", k), channels, contextDim, heads));
        }
        projOutConv = linear ? null : Conv2d.load1x1(w.at("proj_out"), channels, channels);
        projOutLinear = linear ? Linear.load(w.at("proj_out"), channels, channels, true) : null;
    }

    public static SpatialTransformer load(Weights w, long channels, int depth, long contextDim, int heads,
                                          boolean linearProjection) {
        return new SpatialTransformer(w, channels, depth, contextDim, heads, linearProjection);
    }

    @Override
    public NDArray forward(NDArray x, NDArray emb, NDArray context) {
        long height = x.getShape().get(2);
        long width = x.getShape().get(3);
        NDArray h = norm.forward(x);
        h = projInConv != null ? Functional.toTokens(projInConv.forward(h)) : projInLinear.forward(Functional.toTokens(h));
        for (BasicTransformerBlock block : transformerBlocks) {
            h = block.forward(h, context);
        }
        h = projOutConv != null
                ? projOutConv.forward(Functional.fromTokens(h, height, width))
                : Functional.fromTokens(projOutLinear.forward(h), height, width);
        return h.addi(x);
    }
}
