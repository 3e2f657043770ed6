package dev.lathe.sdxl;

import dev.lathe.nn.RemappedSource;
import dev.lathe.nn.WeightSource;
import dev.lathe.nn.clip.OpenClipKeys;
import dev.lathe.nn.unet.DiffusersUnetKeys;
import dev.lathe.nn.vae.DiffusersVaeKeys;
import dev.lathe.safetensors.TensorInfo;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Where an SDXL checkpoint keeps its parts, and its canonical view: every layout presented under
 * the names the blocks load, zero-copy.
 *
 * <table>
 * <caption>canonical names</caption>
 * <tr><td>{@link #UNET}</td><td>the UNet, LDM/SGM names (as single files store it)</td></tr>
 * <tr><td>{@link #VAE}</td><td>the VAE, LDM names (as single files store it)</td></tr>
 * <tr><td>{@link #TE1}</td><td>CLIP ViT-L in Hugging Face names (as single files store it)</td></tr>
 * <tr><td>{@link #TE2}</td><td>OpenCLIP ViT-bigG in Hugging Face names: single files store it in
 *     OpenCLIP layout ({@link #TE2_OPENCLIP}, fused {@code in_proj} cut into q/k/v row views by
 *     {@link OpenClipKeys}), diffusers as {@code text_encoder_2/text_model.*}</td></tr>
 * <tr><td>{@link #TE2_ROOT}{@code text_projection}</td><td>OpenCLIP's {@code text_projection [W, P]};
 *     diffusers' Linear {@code text_projection.weight [P, W]} keeps its {@code .weight}</td></tr>
 * </table>
 * Text-encoder layers thus have the Hugging Face module paths kohya names SDXL LoRAs after, below
 * {@link #TE1_ROOT} and {@link #TE2_ROOT}, whatever the file's layout.
 */
final class SdxlLayout {

    static final String UNET = "model.diffusion_model.";
    static final String VAE = "first_stage_model.";
    /** Text encoder 1's module root: kohya's {@code lora_te1_} paths start below it ({@code text_model.}). */
    static final String TE1_ROOT = "conditioner.embedders.0.transformer.";
    static final String TE1 = TE1_ROOT + "text_model.";
    /** Text encoder 2's module root in canonical (Hugging Face) naming. */
    static final String TE2_ROOT = "conditioner.embedders.1.transformer.";
    static final String TE2 = TE2_ROOT + "text_model.";
    /** Text encoder 2 as single files store it (OpenCLIP). */
    static final String TE2_OPENCLIP = "conditioner.embedders.1.model.";

    static final String DIFFUSERS_UNET = "unet/";
    static final String DIFFUSERS_VAE = "vae/";
    static final String DIFFUSERS_TE1 = "text_encoder/";
    static final String DIFFUSERS_TE2 = "text_encoder_2/";

    private SdxlLayout() {
    }

    static boolean isDiffusers(Map<String, TensorInfo> raw) {
        return raw.keySet().stream().anyMatch(n -> n.startsWith(DIFFUSERS_UNET) || n.startsWith(DIFFUSERS_TE2));
    }

    /** Whether text encoder 2 is stored in OpenCLIP layout (single files) rather than Hugging Face's. */
    static boolean isOpenClip(Map<String, TensorInfo> raw) {
        return raw.keySet().stream().anyMatch(n -> n.startsWith(TE2_OPENCLIP));
    }

    /** If {@code raw} is an SD 1.x/2.x checkpoint, what gives it away; else null. */
    static String sd1Evidence(Map<String, TensorInfo> raw) {
        boolean diffusers = isDiffusers(raw);
        boolean conditioner = false;
        boolean sizeInput = false;
        boolean secondEncoder = false;
        boolean unet = false;
        for (String name : raw.keySet()) {
            if (name.startsWith("cond_stage_model.")) {
                return "its text encoder is stored as cond_stage_model.*";
            }
            conditioner |= name.startsWith("conditioner.embedders.");
            sizeInput |= name.startsWith(UNET + "label_emb.") || name.startsWith(DIFFUSERS_UNET + "add_embedding.");
            secondEncoder |= name.startsWith(DIFFUSERS_TE2);
            unet |= name.startsWith(UNET) || name.startsWith(DIFFUSERS_UNET);
        }
        if (diffusers && unet && !sizeInput && !secondEncoder) {
            return "it has neither a second text encoder (text_encoder_2/) nor the UNet's size-conditioning input";
        }
        if (!diffusers && unet && !sizeInput && !conditioner) {
            return "its UNet has no size-conditioning input (label_emb) and it has no conditioner.embedders.*";
        }
        return null;
    }

    /** If {@code raw} is an SDXL refiner (one OpenCLIP text encoder, stored first), what gives it away; else null. */
    static String refinerEvidence(Map<String, TensorInfo> raw) {
        for (String name : raw.keySet()) {
            if (name.startsWith("conditioner.embedders.0.model.")) {
                return "its only text encoder is OpenCLIP, at conditioner.embedders.0.model.*";
            }
        }
        return null;
    }

    /** The canonical view of a checkpoint's tensors (see the class description). */
    static WeightSource canonical(WeightSource raw) {
        Map<String, TensorInfo> infos = raw.infos();
        if (isDiffusers(infos)) {
            RemappedSource text = RemappedSource.builder(raw)
                    .renamePrefix(TE1, DIFFUSERS_TE1 + "text_model.")
                    .renamePrefix(TE2, DIFFUSERS_TE2 + "text_model.")
                    .rename(TE2_ROOT + "text_projection.weight", DIFFUSERS_TE2 + "text_projection.weight")
                    .build();
            return WeightSource.union(DiffusersUnetKeys.asLdm(raw, DIFFUSERS_UNET, UNET),
                    DiffusersVaeKeys.asLdm(raw, DIFFUSERS_VAE, VAE), text);
        }
        RemappedSource te2 = OpenClipKeys.asHuggingFace(raw, TE2_OPENCLIP, TE2);
        RemappedSource.Builder rest = RemappedSource.builder(raw)
                .rename(TE2_ROOT + "text_projection", TE2_OPENCLIP + "text_projection")
                .spellingOfAbsent(n -> n.equals(TE2_ROOT + "text_projection") ? TE2_OPENCLIP + "text_projection" : null);
        // every other tensor as it is, except the OpenCLIP originals now seen under their HF names
        Set<String> presented = new HashSet<>();
        te2.names().forEach(n -> presented.add(te2.originalOf(n)));
        presented.add(TE2_OPENCLIP + "text_projection");
        for (String name : raw.names()) {
            if (!presented.contains(name)) {
                rest.rename(name, name);
            }
        }
        return WeightSource.union(te2, rest.build());
    }
}
