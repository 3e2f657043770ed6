package dev.lathe.sdxl;

import static dev.lathe.sdxl.SdxlLayout.TE1;
import static dev.lathe.sdxl.SdxlLayout.TE2;
import static dev.lathe.sdxl.SdxlLayout.TE2_ROOT;
import static dev.lathe.sdxl.SdxlLayout.UNET;
import static dev.lathe.sdxl.SdxlLayout.VAE;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.nn.MetadataJson;
import dev.lathe.nn.ShapeReader;
import dev.lathe.nn.WeightSource;
import dev.lathe.nn.clip.ClipTextConfig;
import dev.lathe.nn.clip.ClipTextDimensions;
import dev.lathe.nn.unet.UNetConfig;
import dev.lathe.nn.unet.UNetDimensions;
import dev.lathe.nn.vae.VaeConfig;
import dev.lathe.safetensors.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Infers an SDXL architecture from the canonical tensor names and shapes ({@link SdxlLayout});
 * loading then checks every tensor against it.
 *
 * <p>Settings the tensors do not show come from the metadata when it has them (a single file's
 * {@code unet_config}, {@code te1_config}, {@code te2_config}; a diffusers folder's
 * {@code config.json} files), else from SDXL's conventions: 64-channel UNet heads, 64-channel
 * text-encoder heads (ViT-L 12, ViT-bigG 20), quick GELU for text encoder 1 and exact GELU for
 * text encoder 2.
 */
final class SdxlArchitectureInference {

    /** The outcome: an architecture, or why there is none. */
    record Result(SdxlArchitecture architecture, String problem) {
    }

    private final ShapeReader r;
    private final Map<String, String> metadata;

    private SdxlArchitectureInference(WeightSource canonical, Map<String, String> metadata) {
        this.r = new ShapeReader(canonical);
        this.metadata = metadata == null ? Map.of() : metadata;
    }

    /**
     * @param canonical the checkpoint under canonical names
     * @param diffusers whether the checkpoint is a diffusers folder (for messages and the report)
     * @param openClip  whether text encoder 2 is stored in OpenCLIP layout
     * @param vPrediction whether the checkpoint carries the {@code v_pred} marker
     */
    static Result infer(WeightSource canonical, Map<String, String> metadata, boolean diffusers,
                        boolean openClip, boolean vPrediction) {
        return new SdxlArchitectureInference(canonical, metadata).run(diffusers, openClip, vPrediction);
    }

    private Result run(boolean diffusers, boolean openClip, boolean vPrediction) {
        List<String> absent = new ArrayList<>();
        if (!r.hasPrefix(UNET)) {
            absent.add(diffusers ? "UNet (unet/)" : "UNet (model.diffusion_model.*)");
        }
        if (!r.hasPrefix(VAE)) {
            absent.add(diffusers ? "VAE (vae/)" : "VAE (first_stage_model.*)");
        }
        if (!r.hasPrefix(TE1)) {
            absent.add(diffusers ? "text encoder 1 (text_encoder/)" : "text encoder 1 (conditioner.embedders.0.*)");
        }
        if (!r.hasPrefix(TE2)) {
            absent.add(diffusers ? "text encoder 2 (text_encoder_2/)" : "text encoder 2 (conditioner.embedders.1.*)");
        }
        if (!absent.isEmpty()) {
            return new Result(null, "it has no " + String.join(", no ", absent) + "; the sdxl family needs all four "
                    + "parts of an SDXL checkpoint");
        }
        UNetDimensions dims = UNetDimensions.read(r, UNET);
        VaeConfig vae = VaeConfig.read(r, VAE);
        ClipTextConfig te1 = text(TE1, "te1_config", "text_encoder/config.json", ClipTextConfig.Activation.QUICK_GELU);
        ClipTextConfig te2 = text(TE2, "te2_config", "text_encoder_2/config.json", ClipTextConfig.Activation.GELU);
        int projection = projectionDim(te2);
        if (!r.ok()) {
            return new Result(null, "tensors the architecture is read from are missing or malformed: "
                    + String.join(", ", r.problems()));
        }
        UNetDimensions.Heads heads = dims.heads(metadata, UNetDimensions.Heads.width(64, "SDXL convention"));
        UNetConfig unet;
        try {
            unet = dims.config(heads);
        } catch (IllegalArgumentException e) {
            return new Result(null, "its UNet does not split into attention heads (" + e.getMessage() + ")");
        }
        if (unet.admInChannels() == 0) {
            return new Result(null, "its UNet has no size-conditioning input (label_emb.0.0)");
        }
        if (unet.contextDim() != te1.width() + te2.width()) {
            return new Result(null, "its UNet's cross-attention width " + unet.contextDim() + " is not the sum of the text "
                    + "encoders' widths " + te1.width() + " + " + te2.width());
        }
        int sizes = SdxlArchitecture.SIZE_VALUES * SdxlArchitecture.SIZE_EMBEDDING_CHANNELS;
        if (unet.admInChannels() != projection + sizes) {
            return new Result(null, "its UNet's vector input width " + unet.admInChannels() + " is not the pooled text "
                    + "width " + projection + " + " + sizes + " size-embedding channels (an SDXL refiner or another "
                    + "conditioning this family does not implement)");
        }
        String variant = vPrediction ? "SDXL base (v-prediction)" : "SDXL base";
        return new Result(new SdxlArchitecture(variant, diffusers ? "diffusers folder" : "single file",
                vPrediction ? "v" : "epsilon", unet, heads.source(), vae, te1, te2,
                openClip ? "OpenCLIP (fused in_proj)" : "CLIP (HF layout)", projection), null);
    }

    private ClipTextConfig text(String prefix, String metadataKey, String diffusersConfig,
                                ClipTextConfig.Activation activation) {
        ClipTextDimensions dims = ClipTextDimensions.read(r, prefix);
        if (dims == null) {
            return null;
        }
        JsonNode config = MetadataJson.object(metadata, metadataKey);
        if (config == null) {
            config = MetadataJson.object(metadata, diffusersConfig);
        }
        try {
            return dims.config(config, activation);
        } catch (IllegalArgumentException e) {
            r.problem(r.describe(prefix + "encoder.layers.0.self_attn.q_proj.weight") + " (" + e.getMessage() + ")");
            return null;
        }
    }

    /** P of text encoder 2's projection: OpenCLIP's {@code [W, P]} or the HF Linear's {@code [P, W]}. */
    private int projectionDim(ClipTextConfig te2) {
        TensorInfo linear = r.info(TE2_ROOT + "text_projection.weight");
        if (linear != null) {
            long[] s = r.shape(TE2_ROOT + "text_projection.weight", 2);
            return s == null ? -1 : (int) s[0];
        }
        long[] s = r.shape(TE2_ROOT + "text_projection", 2);
        if (s != null && te2 != null && s[0] != te2.width()) {
            r.problem(r.describe(TE2_ROOT + "text_projection") + " (shape [" + s[0] + ", " + s[1] + "], expected [" + te2.width() + ", P])");
        }
        return s == null ? -1 : (int) s[1];
    }
}
