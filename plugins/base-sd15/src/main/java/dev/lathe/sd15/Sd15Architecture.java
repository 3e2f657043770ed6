package dev.lathe.sd15;

import dev.lathe.nn.clip.ClipTextConfig;
import dev.lathe.nn.unet.UNetConfig;
import dev.lathe.nn.vae.VaeConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the {@code sd15} family inferred from a checkpoint's tensor names and shapes (and, for
 * settings the tensors do not determine, its metadata or the family's conventions).
 *
 * @param variant         {@code SD 1.x}, {@code SD 1.x inpainting} or {@code SD 2.x}
 * @param layout          {@code single file} or {@code diffusers folder}
 * @param prediction      {@code epsilon} (SD 1.x) or {@code v} (SD 2.x 768-px models; the SD 2.x
 *                        512-px base predicts epsilon, which the tensors cannot tell)
 * @param unet            the UNet
 * @param vae             the VAE
 * @param text            the text encoder
 * @param textLayout      {@code CLIP (HF layout)} or {@code OpenCLIP (fused in_proj)}
 * @param defaultClipSkip the clip skip the model was trained with: 1, or 2 for an SD 2.x OpenCLIP
 *                        encoder stored with all its layers (SD 2.x uses the penultimate layer)
 * @param headsSource     where the UNet's head count came from ({@code metadata}, {@code config.json},
 *                        or the family convention)
 */
public record Sd15Architecture(String variant, String layout, String prediction, UNetConfig unet, VaeConfig vae,
                               ClipTextConfig text, String textLayout, int defaultClipSkip, String headsSource) {

    /** The SD 1.x/2.x latent scale factor: multiply VAE latents by it for the UNet. */
    public static final float LATENT_SCALE = 0.18215f;

    /** For {@code lathe inspect} and {@link dev.lathe.api.model.BaseModel#architecture()}: ordered, readable. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("variant", variant);
        m.put("layout", layout);
        m.put("prediction", prediction);
        m.put("unet.in_channels", unet.inChannels());
        m.put("unet.model_channels", unet.modelChannels());
        m.put("unet.channel_mult", unet.channelMult());
        m.put("unet.num_res_blocks", unet.numResBlocks());
        m.put("unet.transformer_depth", unet.transformerDepth());
        m.put("unet.middle_depth", unet.middleTransformerDepth());
        m.put("unet.heads", (unet.numHeads() > 0 ? unet.numHeads() + " heads" : unet.headChannels() + " channels per head")
                + " (" + headsSource + ")");
        m.put("unet.projection", unet.linearProjection() ? "linear" : "conv 1x1");
        m.put("unet.context_dim", unet.contextDim());
        m.put("vae.ch", vae.ch());
        m.put("vae.ch_mult", vae.chMult());
        m.put("vae.num_res_blocks", vae.numResBlocks());
        m.put("vae.z_channels", vae.zChannels());
        m.put("vae.scale_factor", LATENT_SCALE);
        m.put("text.layout", textLayout);
        m.put("text.width", text.width());
        m.put("text.layers", text.layers());
        m.put("text.heads", text.heads());
        m.put("text.activation", text.activation().hfName());
        m.put("text.default_clip_skip", defaultClipSkip);
        return m;
    }
}
