package dev.lathe.nn.vae;

import static dev.lathe.nn.Functional.silu;

import ai.djl.ndarray.NDArray;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.GroupNorm;
import dev.lathe.nn.Weights;

/**
 * The VAE's ResnetBlock (no timestep embedding):
 * <pre>
 *   h = conv1( SiLU( norm1(x) ) )      GroupNorm(32, eps 1e-6), conv 3x3
 *   h = conv2( SiLU( norm2(h) ) )      (dropout 0)
 *   return nin_shortcut(x) + h         conv 1x1 when channels change, else identity
 * </pre>
 */
public final class VaeResnetBlock {

    /** GroupNorm epsilon of every VAE norm. */
    public static final float EPS = 1e-6f;

    final GroupNorm norm1;
    final Conv2d conv1;
    final GroupNorm norm2;
    final Conv2d conv2;
    final Conv2d ninShortcut;

    private VaeResnetBlock(Weights w, long in, long out) {
        norm1 = GroupNorm.load32(w.at("norm1"), in, EPS);
        conv1 = Conv2d.load3x3(w.at("conv1"), in, out);
        norm2 = GroupNorm.load32(w.at("norm2"), out, EPS);
        conv2 = Conv2d.load3x3(w.at("conv2"), out, out);
        ninShortcut = in == out ? null : Conv2d.load1x1(w.at("nin_shortcut"), in, out);
    }

    public static VaeResnetBlock load(Weights w, long in, long out) {
        return new VaeResnetBlock(w, in, out);
    }

    public NDArray forward(NDArray x) {
        NDArray h = conv1.forward(silu(norm1.forward(x)));
        h = conv2.forward(silu(norm2.forward(h)));
        return h.addi(ninShortcut == null ? x : ninShortcut.forward(x));
    }
}
