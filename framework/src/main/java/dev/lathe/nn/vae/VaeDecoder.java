package dev.lathe.nn.vae;

import static dev.lathe.nn.Functional.silu;

import ai.djl.ndarray.NDArray;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Functional;
import dev.lathe.nn.GroupNorm;
import dev.lathe.nn.Scopes;
import dev.lathe.nn.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * The VAE decoder ({@code decoder.*}); {@code up.i} is indexed by resolution level (0 = full
 * resolution) and run from the deepest level up:
 * <pre>
 *   h = conv_in(z)
 *   h = mid.block_2( mid.attn_1( mid.block_1(h) ) )
 *   for i = levels-1 .. 0:  h = up.i.block.j(h)  (j ≤ numResBlocks)
 *                           h = up.i.upsample.conv( nearest ×2 (h) )   for i &gt; 0
 *   return conv_out( SiLU( norm_out(h) ) )                            no tanh, no clamp
 * </pre>
 */
public final class VaeDecoder {

    final Conv2d convIn;
    final VaeResnetBlock midBlock1;
    final VaeAttentionBlock midAttn1;
    final VaeResnetBlock midBlock2;
    /** Indexed by level, as {@code up.i}. */
    final List<List<VaeResnetBlock>> upBlocks = new ArrayList<>();
    final List<Conv2d> upUpsampleConv = new ArrayList<>();
    final GroupNorm normOut;
    final Conv2d convOut;

    private VaeDecoder(Weights w, VaeConfig c) {
        int ch = c.channels(c.levels() - 1);
        convIn = Conv2d.load3x3(w.at("conv_in"), c.zChannels(), ch);
        midBlock1 = VaeResnetBlock.load(w.at("mid.block_1"), ch, ch);
        midAttn1 = VaeAttentionBlock.load(w.at("mid.attn_1"), ch);
        midBlock2 = VaeResnetBlock.load(w.at("mid.block_2"), ch, ch);
        List<List<VaeResnetBlock>> byLevel = new ArrayList<>();
        List<Conv2d> upsamplers = new ArrayList<>();
        for (int i = c.levels() - 1; i >= 0; i--) {
            Weights up = w.at("up", i);
            List<VaeResnetBlock> blocks = new ArrayList<>();
            for (int j = 0; j <= c.numResBlocks(); j++) {
                blocks.add(VaeResnetBlock.load(up.at("block", j), ch, c.channels(i)));
                ch = c.channels(i);
            }
            byLevel.add(0, blocks);
            upsamplers.add(0, i > 0 ? Conv2d.load3x3(up.at("upsample.conv"), ch, ch) : null);
        }
        upBlocks.addAll(byLevel);
        upUpsampleConv.addAll(upsamplers);
        normOut = GroupNorm.load32(w.at("norm_out"), ch, VaeResnetBlock.EPS);
        convOut = Conv2d.load3x3(w.at("conv_out"), ch, c.outChannels());
    }

    public static VaeDecoder load(Weights w, VaeConfig config) {
        return new VaeDecoder(w, config);
    }

    public NDArray forward(NDArray z) {
        NDArray in0 = convIn.forward(z);
        NDArray h = Scopes.run(() -> midBlock2.forward(midAttn1.forward(midBlock1.forward(in0))));
        for (int i = upBlocks.size() - 1; i >= 0; i--) {
            for (VaeResnetBlock block : upBlocks.get(i)) {
                NDArray in = h;
                h = Scopes.run(() -> block.forward(in));
            }
            Conv2d upsample = upUpsampleConv.get(i);
            if (upsample != null) {
                NDArray in = h;
                h = Scopes.run(() -> upsample.forward(Functional.upsampleNearest2x(in)));
            }
        }
        return convOut.forward(silu(normOut.forward(h)));
    }
}
