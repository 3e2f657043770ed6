package dev.lathe.nn.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Scopes;
import dev.lathe.nn.Weights;
import java.util.function.BiConsumer;

/**
 * LDM's {@code AutoencoderKL}, the SD VAE (keys below {@code first_stage_model.}):
 * <pre>
 *   encode:  moments = quant_conv( encoder(image) )                 image in [−1, 1], [B, 3, H, W]
 *            mean, logvar = moments[:, :z], clamp(moments[:, z:], −30, 20);  std = exp(logvar / 2)
 *   decode:  image = decoder( post_quant_conv(latent) )
 * </pre>
 * The latent scale factor (SD 1.x/2.x 0.18215, SDXL 0.13025) is not applied here: multiply after
 * encoding and divide before decoding in a pipeline.
 */
public final class AutoencoderKL {

    private final VaeConfig config;
    private final DataType computeType;
    private final ai.djl.Device device;
    final VaeEncoder encoder;
    final VaeDecoder decoder;
    final Conv2d quantConv;
    final Conv2d postQuantConv;
    private final NDArray half;
    private final NDArray logvarMin;
    private final NDArray logvarMax;

    private AutoencoderKL(Weights w, VaeConfig c) {
        this.config = c;
        this.computeType = w.computeType();
        this.device = w.device();
        encoder = VaeEncoder.load(w.at("encoder"), c);
        decoder = VaeDecoder.load(w.at("decoder"), c);
        quantConv = Conv2d.load1x1(w.at("quant_conv"), 2L * c.zChannels(), 2L * c.embedDim());
        postQuantConv = Conv2d.load1x1(w.at("post_quant_conv"), c.embedDim(), c.zChannels());
        half = w.constants().scalar(0.5f);
        logvarMin = w.constants().scalar(-30f);
        logvarMax = w.constants().scalar(20f);
    }

    /** Loads the VAE at {@code w} (single-file SD: {@code at("first_stage_model")}). */
    public static AutoencoderKL load(Weights w, VaeConfig config) {
        return new AutoencoderKL(w, config);
    }

    public VaeConfig config() {
        return config;
    }

    public DataType computeType() {
        return computeType;
    }

    /** The posterior for {@code image [B, inChannels, H, W]} in [−1, 1] (H, W divisible by the downscale factor). */
    public DiagonalGaussian encode(NDArray image) {
        return encode(image, null);
    }

    /** As {@link #encode(NDArray)}; {@code probe} receives {@code encoder_out}, valid during the call only. */
    public DiagonalGaussian encode(NDArray image, BiConsumer<String, NDArray> probe) {
        Shape s = image.getShape();
        if (s.dimension() != 4 || s.get(1) != config.inChannels() || s.get(2) % config.downscale() != 0
                || s.get(3) % config.downscale() != 0) {
            throw new IllegalArgumentException("VAE input must be [B, " + config.inChannels() + ", H, W] with H and W "
                    + "divisible by " + config.downscale() + ", got " + s);
        }
        NDList out = Scopes.runAll(() -> {
            NDArray h = encoder.forward(dev.lathe.nn.Functional.prepare(image, device, computeType));
            if (probe != null) {
                probe.accept("encoder_out", h);
            }
            NDArray moments = quantConv.forward(h);
            NDList parts = moments.split(2, 1);
            NDArray mean = parts.get(0).duplicate();
            NDArray logvar = parts.get(1).maximum(logvarMin).minimum(logvarMax);
            NDArray std = logvar.mul(half).exp();
            return new NDList(moments, mean, logvar, std);
        });
        return new DiagonalGaussian(out.get(0), out.get(1), out.get(2), out.get(3));
    }

    /** The decoded image {@code [B, outChannels, h·f, w·f]} for an (unscaled) latent {@code [B, embedDim, h, w]}. */
    public NDArray decode(NDArray latent) {
        return decode(latent, null);
    }

    /** As {@link #decode(NDArray)}; {@code probe} receives {@code post_quant_conv_out}. */
    public NDArray decode(NDArray latent, BiConsumer<String, NDArray> probe) {
        Shape s = latent.getShape();
        if (s.dimension() != 4 || s.get(1) != config.embedDim()) {
            throw new IllegalArgumentException("VAE latent must be [B, " + config.embedDim() + ", h, w], got " + s);
        }
        return Scopes.run(() -> {
            NDArray z = postQuantConv.forward(dev.lathe.nn.Functional.prepare(latent, device, computeType));
            if (probe != null) {
                probe.accept("post_quant_conv_out", z);
            }
            return decoder.forward(z);
        });
    }
}
