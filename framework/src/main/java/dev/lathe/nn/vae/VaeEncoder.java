package dev.lathe.nn.vae;

import static dev.lathe.nn.Functional.silu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.GroupNorm;
import dev.lathe.nn.Scopes;
import dev.lathe.nn.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * The VAE encoder ({@code encoder.*}):
 * <pre>
 *   h = conv_in(x)
 *   for level i:  h = down.i.block.j(h)  (j &lt; numResBlocks)
 *                 h = down.i.downsample.conv( pad right and bottom by 1 (h) )   3x3, stride 2, no padding; not after the last level
 *   h = mid.block_2( mid.attn_1( mid.block_1(h) ) )
 *   return conv_out( SiLU( norm_out(h) ) )                                    → 2·zChannels
 * </pre>
 */
public final class VaeEncoder {

    final Conv2d convIn;
    final List<List<VaeResnetBlock>> downBlocks = new ArrayList<>();
    final List<Conv2d> downDownsampleConv = new ArrayList<>();
    final VaeResnetBlock midBlock1;
    final VaeAttentionBlock midAttn1;
    final VaeResnetBlock midBlock2;
    final GroupNorm normOut;
    final Conv2d convOut;

    private static final Shape PAD_RIGHT_BOTTOM = new Shape(0, 1, 0, 1);

    private VaeEncoder(Weights w, VaeConfig c) {
        convIn = Conv2d.load3x3(w.at("conv_in"), c.inChannels(), c.ch());
        int ch = c.ch();
        for (int i = 0; i < c.levels(); i++) {
            Weights down = w.at("down", i);
            List<VaeResnetBlock> blocks = new ArrayList<>();
            for (int j = 0; j < c.numResBlocks(); j++) {
                blocks.add(VaeResnetBlock.load(down.at("block", j), ch, c.channels(i)));
                ch = c.channels(i);
            }
            downBlocks.add(blocks);
            downDownsampleConv.add(i < c.levels() - 1 ? Conv2d.load(down.at("downsample.conv"), ch, ch, 3, 2, 0) : null);
        }
        midBlock1 = VaeResnetBlock.load(w.at("mid.block_1"), ch, ch);
        midAttn1 = VaeAttentionBlock.load(w.at("mid.attn_1"), ch);
        midBlock2 = VaeResnetBlock.load(w.at("mid.block_2"), ch, ch);
        normOut = GroupNorm.load32(w.at("norm_out"), ch, VaeResnetBlock.EPS);
        convOut = Conv2d.load3x3(w.at("conv_out"), ch, 2L * c.zChannels());
    }

    public static VaeEncoder load(Weights w, VaeConfig config) {
        return new VaeEncoder(w, config);
    }

    public NDArray forward(NDArray x) {
        NDArray h = convIn.forward(x);
        for (int i = 0; i < downBlocks.size(); i++) {
            for (VaeResnetBlock block : downBlocks.get(i)) {
                NDArray in = h;
                h = Scopes.run(() -> block.forward(in));
            }
            Conv2d downsample = downDownsampleConv.get(i);
            if (downsample != null) {
                NDArray in = h;
                h = Scopes.run(() -> downsample.forward(in.pad(PAD_RIGHT_BOTTOM, 0)));
            }
        }
        NDArray mid = h;
        h = Scopes.run(() -> midBlock2.forward(midAttn1.forward(midBlock1.forward(mid))));
        return convOut.forward(silu(normOut.forward(h)));
    }
}
