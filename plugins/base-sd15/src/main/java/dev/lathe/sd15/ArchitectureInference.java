package dev.lathe.sd15;

import static dev.lathe.sd15.Sd15Layout.TEXT;
import static dev.lathe.sd15.Sd15Layout.UNET;
import static dev.lathe.sd15.Sd15Layout.VAE;

import dev.lathe.nn.MetadataJson;
import dev.lathe.nn.ShapeReader;
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
 * Infers an SD 1.x/2.x architecture from the canonical tensor names and shapes. Only a few
 * "anchor" tensors are read here (conv_in, the first conv of each level, counts of numbered
 * blocks); loading then checks every tensor against the inferred architecture.
 *
 * <p>Two settings are not in the tensors: the UNet's attention heads and the text encoder's heads
 * (and activation). They come from the metadata when it has them ({@code unet_config} /
 * {@code text_config} in a single file's {@code __metadata__} as LDM resp. HF config JSON, or a
 * diffusers folder's {@code unet/config.json}, {@code text_encoder/config.json}), else from the
 * conventions of the released models: SD 1.x (context 768) has 8 heads per transformer, SD 2.x
 * (context 1024) 64-channel heads; CLIP text encoders have 64-channel heads, OpenAI's ViT-L
 * (width 768) quick GELU, the OpenCLIP models GELU.
 */
final class ArchitectureInference {

    /** The outcome: an architecture, or why there is none. */
    record Result(Sd15Architecture architecture, String problem) {
    }

    private final ShapeReader r;
    private final Map<String, String> metadata;
    /** Where the UNet head count came from, for the architecture report. */
    private String headsSource = "convention";

    private ArchitectureInference(Map<String, TensorInfo> canonical, Map<String, String> metadata) {
        this.r = new ShapeReader(canonical);
        this.metadata = metadata == null ? Map.of() : metadata;
    }

    static Result infer(Map<String, TensorInfo> canonical, Map<String, String> metadata, boolean diffusers,
                        boolean openClip) {
        return new ArchitectureInference(canonical, metadata).run(diffusers, openClip);
    }

    private Result run(boolean diffusers, boolean openClip) {
        List<String> absent = new ArrayList<>();
        if (!r.hasPrefix(UNET)) {
            absent.add(diffusers ? "UNet (unet/)" : "UNet (model.diffusion_model.*)");
        }
        if (!r.hasPrefix(VAE)) {
            absent.add(diffusers ? "VAE (vae/)" : "VAE (first_stage_model.*)");
        }
        if (!r.hasPrefix(TEXT)) {
            absent.add(diffusers ? "text encoder (text_encoder/)" : "text encoder (cond_stage_model.*)");
        }
        if (!absent.isEmpty()) {
            return new Result(null, "it has no " + String.join(", no ", absent) + "; the sd15 family needs all three "
                    + "parts of a Stable Diffusion checkpoint");
        }
        UNetConfig unet = unet();
        VaeConfig vae = VaeConfig.read(r, VAE);
        ClipTextConfig text = text(openClip);
        if (!r.ok()) {
            return new Result(null, "tensors the architecture is read from are missing or malformed: "
                    + String.join(", ", r.problems()));
        }
        boolean sd2 = openClip || unet.contextDim() == 1024;
        String variant = sd2 ? "SD 2.x" : unet.inChannels() == 9 ? "SD 1.x inpainting" : "SD 1.x";
        String layout = diffusers ? "diffusers folder" : "single file";
        String textLayout = openClip ? "OpenCLIP (fused in_proj)" : "CLIP (HF layout)";
        int clipSkip = openClip ? 2 : 1;
        return new Result(new Sd15Architecture(variant, layout, sd2 ? "v" : "epsilon", unet, vae, text, textLayout,
                clipSkip, headsSource), null);
    }

    /** The UNet, with its heads from the metadata or the SD 1.x / SD 2.x convention. */
    private UNetConfig unet() {
        UNetDimensions dims = UNetDimensions.read(r, UNET);
        if (dims == null) {
            return null;
        }
        UNetDimensions.Heads heads = dims.heads(metadata, dims.contextDim() == 1024
                ? UNetDimensions.Heads.width(64, "SD 2.x convention") : UNetDimensions.Heads.count(8, "SD 1.x convention"));
        headsSource = heads.source();
        try {
            return dims.config(heads);
        } catch (IllegalArgumentException e) {
            r.problem("UNet (" + e.getMessage() + ")");
            return null;
        }
    }

    /** The text encoder, with heads and activation from {@code text_config} or the CLIP conventions. */
    private ClipTextConfig text(boolean openClip) {
        ClipTextDimensions dims = ClipTextDimensions.read(r, TEXT);
        if (dims == null) {
            return null;
        }
        var config = MetadataJson.object(metadata, "text_config");
        if (config == null) {
            config = MetadataJson.object(metadata, "text_encoder/config.json");
        }
        try {
            return dims.config(config, !openClip && dims.width() == 768 ? ClipTextConfig.Activation.QUICK_GELU
                    : ClipTextConfig.Activation.GELU);
        } catch (IllegalArgumentException e) {
            r.problem("text encoder (" + e.getMessage() + ")");
            return null;
        }
    }
}
