package dev.lathe.nn.unet;

import static dev.lathe.nn.Functional.silu;

import ai.djl.ndarray.NDArray;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.GroupNorm;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Weights;

/**
 * LDM's ResBlock with timestep embedding:
 * <pre>
 *   h = in_layers.2( SiLU( in_layers.0(x) ) )          GroupNorm(32, eps 1e-5), conv 3x3
 *   h = h + emb_layers.1( SiLU(emb) )[:, :, None, None]  Linear(timeEmbedDim → out)
 *   h = out_layers.3( SiLU( out_layers.0(h) ) )        GroupNorm, (dropout 0), conv 3x3
 *   return skip_connection(x) + h                      conv 1x1 when in ≠ out, else identity
 * </pre>
 */
public final class ResBlock implements UNetLayer {

    /** GroupNorm epsilon of the UNet ResBlocks (and of {@code out.0}). */
    public static final float EPS = 1e-5f;

    final GroupNorm inLayers0;
    final Conv2d inLayers2;
    final Linear embLayers1;
    final GroupNorm outLayers0;
    final Conv2d outLayers3;
    final Conv2d skipConnection;
    private final long out;

    private ResBlock(Weights w, long in, long out, long embDim) {
        this.out = out;
        inLayers0 = GroupNorm.load32(w.at("in_layers.0"), in, EPS);
        inLayers2 = Conv2d.load3x3(w.at("in_layers.2"), in, out);
        embLayers1 = Linear.load(w.at("emb_layers.1"), embDim, out, true);
        outLayers0 = GroupNorm.load32(w.at("out_layers.0"), out, EPS);
        outLayers3 = Conv2d.load3x3(w.at("out_layers.3"), out, out);
        skipConnection = in == out ? null : Conv2d.load1x1(w.at("skip_connection"), in, out);
    }

    public static ResBlock load(Weights w, long in, long out, long embDim) {
        return new ResBlock(w, in, out, embDim);
    }

    @Override
    public NDArray forward(NDArray x, NDArray emb, NDArray context) {
        NDArray h = inLayers2.forward(silu(inLayers0.forward(x)));
        NDArray e = embLayers1.forward(silu(emb));
        h = h.addi(e.reshape(e.getShape().get(0), out, 1, 1));
        h = outLayers3.forward(silu(outLayers0.forward(h)));
        return h.addi(skipConnection == null ? x : skipConnection.forward(x));
    }
}
