package dev.lathe.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Stateless operations the blocks share. All work under DJL autograd: in-place shortcuts are
 * taken only on fresh arrays autograd does not keep, or when nothing is recorded ({@link
 * Autograd#recording()}); scalars are arrays from {@link Constants}, never {@code Number} overloads.
 */
public final class Functional {

    private Functional() {
    }

    /** SiLU (swish): {@code x·sigmoid(x)}. */
    public static NDArray silu(NDArray x) {
        NDArray s = x.getNDArrayInternal().sigmoid();
        if (Autograd.recording()) {
            return x.mul(s); // sigmoid's backward reads its output s, mul's reads x and s
        }
        return s.muli(x);
    }

    /** GELU, exact (erf) form, as the UNet feed-forward and OpenCLIP use it. */
    public static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    /** OpenAI CLIP's quick GELU: {@code x·sigmoid(1.702·x)}; {@code c1702} is the scalar 1.702. */
    public static NDArray quickGelu(NDArray x, NDArray c1702) {
        NDArray s;
        try (NDArray scaled = x.mul(c1702)) {
            s = scaled.getNDArrayInternal().sigmoid();
        }
        if (Autograd.recording()) {
            return x.mul(s);
        }
        return s.muli(x);
    }

    /**
     * Multi-head scaled dot-product attention.
     *
     * @param q     queries {@code [B, N, C]}
     * @param k     keys {@code [B, M, C]}
     * @param v     values {@code [B, M, C]}
     * @param heads number of heads; head {@code h} uses channels {@code [h·d, (h+1)·d)}, {@code d = C/heads}
     * @param scale the scalar {@code 1/sqrt(d)} (from {@link Constants#scalar})
     * @param mask  additive mask broadcastable to {@code [B, heads, N, M]} (e.g. causal {@code [N, M]}), or null
     * @return {@code softmax(q·kᵀ·scale + mask)·v} per head, heads concatenated: {@code [B, N, C]}
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, int heads, NDArray scale, NDArray mask) {
        Shape qs = q.getShape();
        long b = qs.get(0);
        long n = qs.get(1);
        long c = qs.get(2);
        long m = k.getShape().get(1);
        long d = c / heads;
        NDArray qh = q.reshape(b, n, heads, d).transpose(0, 2, 1, 3).mul(scale); // [B, h, N, d], scaled
        NDArray kt = k.reshape(b, m, heads, d).transpose(0, 2, 3, 1);             // [B, h, d, M]
        NDArray vh = v.reshape(b, m, heads, d).transpose(0, 2, 1, 3);             // [B, h, M, d]
        NDArray scores = qh.matMul(kt);                                            // [B, h, N, M]
        if (mask != null) {
            scores = scores.addi(mask); // matmul's backward keeps its inputs, not its output
        }
        NDArray probabilities = scores.softmax(-1);
        NDArray out = probabilities.matMul(vh);                                    // [B, h, N, d]
        return out.transpose(0, 2, 1, 3).reshape(b, n, c);
    }

    /**
     * The sinusoidal timestep embedding of LDM/diffusers ({@code flip_sin_to_cos=True},
     * {@code downscale_freq_shift=0}): for {@code half = dim/2},
     * {@code f_i = exp(-ln(10000)·i/half)} and the row for timestep {@code t} is
     * {@code [cos(t·f_0) … cos(t·f_{half-1}), sin(t·f_0) … sin(t·f_{half-1})]}.
     * Computed in float32 as the reference does ({@code f_i} rounded to float32, then {@code t·f_i}
     * in float32), then converted to {@code type}. Timesteps carry no gradient, so plain scalar
     * overloads are safe here.
     *
     * @param timesteps {@code [B]}, any numeric type
     * @param dim       embedding width (even)
     * @return {@code [B, dim]} in {@code manager}'s device
     */
    public static NDArray timestepEmbedding(NDArray timesteps, int dim, DataType type) {
        NDManager manager = timesteps.getManager();
        int half = dim / 2;
        NDArray freqs = manager.arange(0f, (float) half, 1f, DataType.FLOAT32)
                .mul((float) -Math.log(10000.0)).div((float) half).exp();                        // [half]
        NDArray t = timesteps.toType(DataType.FLOAT32, false).reshape(-1, 1);                   // [B, 1]
        NDArray args = t.mul(freqs.reshape(1, half));                                            // [B, half]
        NDArray embedding = args.cos().concat(args.sin(), 1);
        return embedding.toType(type, false);
    }

    /**
     * {@code x} on {@code device} (when not null) and, for {@code type} not null, converted to it:
     * how models take inputs made elsewhere (e.g. CPU arrays for a model on the GPU). Returns
     * {@code x} itself when nothing changes.
     */
    public static NDArray prepare(NDArray x, ai.djl.Device device, DataType type) {
        NDArray y = device == null || x.getDevice().equals(device) ? x : x.toDevice(device, false);
        return type == null ? y : y.toType(type, false);
    }

    /** Nearest-neighbour upsampling of NCHW by 2. */
    public static NDArray upsampleNearest2x(NDArray x) {
        Shape s = x.getShape();
        return x.getNDArrayInternal().interpolation(new long[] {s.get(2) * 2, s.get(3) * 2}, 0, false);
    }

    /** {@code [B, C, H, W] → [B, H·W, C]} (row-major over H then W). */
    public static NDArray toTokens(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 3, 1).reshape(s.get(0), s.get(2) * s.get(3), s.get(1));
    }

    /** {@code [B, H·W, C] → [B, C, H, W]}. */
    public static NDArray fromTokens(NDArray x, long height, long width) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), height, width, s.get(2)).transpose(0, 3, 1, 2);
    }
}
