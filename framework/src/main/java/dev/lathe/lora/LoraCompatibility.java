package dev.lathe.lora;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.DiffusionModel;
import java.util.List;

/**
 * Refuses a LoRA made for another architecture before its modules are matched one by one, with
 * a message that says so: an SDXL LoRA on an SD 1.x/2.x checkpoint, or the reverse. The evidence
 * is the file's {@code ss_base_model_version} metadata, else its module names: kohya names SDXL's
 * UNet modules after the original checkpoint ({@code lora_unet_input_blocks_…}) and its text
 * encoders {@code lora_te1_}/{@code lora_te2_}, SD 1.x/2.x's UNet modules after diffusers
 * ({@code lora_unet_down_blocks_…}) and its text encoder {@code lora_te_}. {@link
 * ModelLoras#forFile} asks first, so everything that binds a LoRA file to a model (rendering,
 * training on, merging) refuses such a file in the same words.
 */
public final class LoraCompatibility {

    private static final List<String> SDXL_PREFIXES = List.of("lora_te1_", "lora_te2_", "lora_unet_input_blocks_",
            "lora_unet_middle_block_", "lora_unet_output_blocks_");
    private static final List<String> SD_PREFIXES = List.of("lora_te_", "lora_unet_down_blocks_", "lora_unet_mid_block_",
            "lora_unet_up_blocks_");

    private LoraCompatibility() {
    }

    /**
     * Returns quietly when {@code lora} may be for {@code model}'s architecture (module by module
     * binding, {@link ModelLoras#forFile}, then decides).
     *
     * @throws InvalidInputException naming the file, the evidence and what to use instead
     */
    public static void check(DiffusionModel model, LoraFileContents lora) {
        boolean modelIsSdxl = model.baseModelVersion().startsWith("sdxl");
        String version = lora.metadata().get("ss_base_model_version");
        String evidence;
        boolean loraIsSdxl;
        if (version != null && !version.isBlank()) {
            loraIsSdxl = version.startsWith("sdxl");
            evidence = "its metadata says ss_base_model_version=" + version;
        } else {
            String sdxlName = firstWith(lora, SDXL_PREFIXES);
            String sdName = firstWith(lora, SD_PREFIXES);
            if ((sdxlName == null) == (sdName == null)) {
                return; // no evidence either way (or both): the module-by-module check decides
            }
            loraIsSdxl = sdxlName != null;
            evidence = "its module names are " + (loraIsSdxl ? "SDXL's (" + sdxlName : "SD 1.x/2.x's (" + sdName) + ")";
        }
        if (loraIsSdxl != modelIsSdxl) {
            String loraKind = loraIsSdxl ? "SDXL" : "SD 1.x/2.x";
            String modelKind = modelIsSdxl ? "an SDXL" : "an SD 1.x/2.x";
            throw new InvalidInputException(lora.file() + " is a LoRA for " + loraKind + " (" + evidence + "), but the "
                    + "checkpoint " + model.source().getFileName() + " is " + modelKind + " checkpoint (family "
                    + model.family() + "). A LoRA only works with checkpoints of the architecture it was trained for: "
                    + "use it with " + (loraIsSdxl ? "an SDXL" : "an SD 1.5") + " checkpoint, or choose a LoRA made for "
                    + (modelIsSdxl ? "SDXL" : "SD 1.5") + ".");
        }
    }

    private static String firstWith(LoraFileContents lora, List<String> prefixes) {
        for (String name : lora.modules().keySet()) {
            for (String prefix : prefixes) {
                if (name.startsWith(prefix)) {
                    return name;
                }
            }
        }
        return null;
    }
}
