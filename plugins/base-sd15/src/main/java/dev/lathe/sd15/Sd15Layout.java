package dev.lathe.sd15;

import dev.lathe.nn.RemappedSource;
import dev.lathe.nn.WeightSource;
import dev.lathe.nn.clip.OpenClipKeys;
import dev.lathe.nn.unet.DiffusersUnetKeys;
import dev.lathe.nn.vae.DiffusersVaeKeys;
import dev.lathe.safetensors.TensorInfo;
import java.util.Map;

/**
 * Where an SD checkpoint keeps its parts, and its canonical view: every layout is presented under
 * the single-file names the blocks load ({@link #UNET}, {@link #VAE}, {@link #TEXT}), zero-copy.
 */
final class Sd15Layout {

    static final String UNET = "model.diffusion_model.";
    static final String VAE = "first_stage_model.";
    /** The HF CLIP text model of SD 1.x single files; also the canonical text-encoder prefix. */
    static final String TEXT = "cond_stage_model.transformer.text_model.";
    /** The OpenCLIP text model of SD 2.x single files. */
    static final String OPENCLIP = "cond_stage_model.model.";

    static final String DIFFUSERS_UNET = "unet/";
    static final String DIFFUSERS_VAE = "vae/";
    static final String DIFFUSERS_TEXT = "text_encoder/";

    private Sd15Layout() {
    }

    static boolean isDiffusers(Map<String, TensorInfo> raw) {
        return raw.keySet().stream().anyMatch(n -> n.startsWith(DIFFUSERS_UNET));
    }

    static boolean isOpenClip(Map<String, TensorInfo> raw) {
        return raw.containsKey(OPENCLIP + "token_embedding.weight");
    }

    /** If {@code raw} is an SDXL checkpoint, what gives it away; else null. */
    static String sdxlEvidence(Map<String, TensorInfo> raw) {
        for (String name : raw.keySet()) {
            if (name.startsWith("conditioner.embedders.")) {
                return "its text encoders are stored as conditioner.embedders.*";
            }
            if (name.startsWith(UNET + "label_emb.") || name.startsWith(DIFFUSERS_UNET + "add_embedding.")) {
                return "its UNet has the size-conditioning input (" + name + ")";
            }
            if (name.startsWith("text_encoder_2/")) {
                return "it has a second text encoder (text_encoder_2/)";
            }
        }
        return null;
    }

    /** The canonical view of a checkpoint's tensors (see the class description). */
    static WeightSource canonical(WeightSource raw) {
        Map<String, TensorInfo> infos = raw.infos();
        if (isDiffusers(infos)) {
            RemappedSource text = RemappedSource.builder(raw).renamePrefix(TEXT, DIFFUSERS_TEXT + "text_model.").build();
            return WeightSource.union(DiffusersUnetKeys.asLdm(raw, DIFFUSERS_UNET, UNET),
                    DiffusersVaeKeys.asLdm(raw, DIFFUSERS_VAE, VAE), text);
        }
        if (isOpenClip(infos)) {
            return WeightSource.union(OpenClipKeys.asHuggingFace(raw, OPENCLIP, TEXT), raw);
        }
        return raw;
    }

    /** A source with headers only, for recognizing a checkpoint without reading tensor data. */
    static WeightSource headerOnly(Map<String, TensorInfo> infos) {
        return WeightSource.headerOnly(infos);
    }
}
