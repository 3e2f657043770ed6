package dev.lathe.sdxl;

import dev.lathe.nn.clip.ClipTextConfig;
import dev.lathe.nn.unet.UNetConfig;
import dev.lathe.nn.vae.VaeConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the {@code sdxl} family inferred from a checkpoint's tensor names and shapes (and, for
 * settings the tensors do not determine, its metadata or the SDXL conventions).
 *
 * @param variant       {@code SDXL base} (or {@code SDXL base (v-prediction)})
 * @param layout        {@code single file} or {@code diffusers folder}
 * @param prediction    {@code epsilon}, or {@code v} for checkpoints that carry the {@code v_pred} marker
 * @param unet          the UNet; its context width is te1 + te2 width, its ADM input pooled + 6 × 256
 * @param headsSource   where the UNet's head width came from
 * @param vae           the VAE (always computed in float32)
 * @param te1           CLIP ViT-L
 * @param te2           OpenCLIP ViT-bigG
 * @param te2Layout     {@code OpenCLIP (fused in_proj)} or {@code CLIP (HF layout)}
 * @param projectionDim the width of text encoder 2's pooled projection
 */
public record SdxlArchitecture(String variant, String layout, String prediction, UNetConfig unet, String headsSource,
                               VaeConfig vae, ClipTextConfig te1, ClipTextConfig te2, String te2Layout,
                               int projectionDim) {

    /** SDXL's latent scale factor: multiply VAE latents by it for the UNet. */
    public static final float LATENT_SCALE = 0.13025f;

    /** Channels of each size embedding (six of them: original h, w; crop top, left; target h, w). */
    public static final int SIZE_EMBEDDING_CHANNELS = 256;

    /** Number of size-conditioning scalars. */
    public static final int SIZE_VALUES = 6;

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
        m.put("unet.context_dim", unet.contextDim() + " (" + te1.width() + " + " + te2.width() + ")");
        m.put("unet.adm_in_channels", unet.admInChannels() + " (pooled " + projectionDim + " + " + SIZE_VALUES + " x "
                + SIZE_EMBEDDING_CHANNELS + " size embeddings)");
        m.put("vae.ch", vae.ch());
        m.put("vae.ch_mult", vae.chMult());
        m.put("vae.num_res_blocks", vae.numResBlocks());
        m.put("vae.z_channels", vae.zChannels());
        m.put("vae.scale_factor", LATENT_SCALE);
        m.put("vae.precision", "float32");
        m.put("te1.width", te1.width());
        m.put("te1.layers", te1.layers());
        m.put("te1.heads", te1.heads());
        m.put("te1.activation", te1.activation().hfName());
        m.put("te2.layout", te2Layout);
        m.put("te2.width", te2.width());
        m.put("te2.layers", te2.layers());
        m.put("te2.heads", te2.heads());
        m.put("te2.activation", te2.activation().hfName());
        m.put("te2.projection_dim", projectionDim);
        m.put("text.output", "hidden state " + (te1.layers() - 1) + "/" + te1.layers() + " and " + (te2.layers() - 1)
                + "/" + te2.layers() + " (penultimate, no final LayerNorm), concatenated");
        return m;
    }
}
