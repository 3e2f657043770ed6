package dev.lathe.api.model;

import dev.lathe.api.Plugin;
import dev.lathe.safetensors.TensorInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One family of base checkpoints ({@code sd15}, {@code sdxl}): knows its tensor layouts, loads
 * its checkpoints and names their LoRA target modules as kohya-ss does.
 */
public interface BaseModelFamily extends Plugin {

    /**
     * Decides from tensor names and shapes alone (no tensor data is read) whether a checkpoint
     * belongs to this family, and infers its architecture. Never throws for a foreign checkpoint:
     * it answers {@link Recognition#notRecognized} with the reason (e.g. "an SDXL checkpoint: use
     * family sdxl"). A checkpoint of this family that lacks tensors or has misshapen ones may be
     * refused with an {@link dev.lathe.api.InvalidInputException} listing them.
     *
     * @param tensors every tensor of the checkpoint, by name (for a diffusers folder the names
     *                are prefixed with the component folder, {@code unet/...})
     */
    Recognition recognize(Map<String, TensorInfo> tensors);

    /**
     * As {@link #recognize(Map)}, with the checkpoint's metadata: a single file's
     * {@code __metadata__}, or for a diffusers folder each component's {@code config.json} text
     * under {@code "<folder>/config.json"} (e.g. {@code unet/config.json}). Settings the tensors
     * do not determine (such as a UNet's head count) are taken from it when present. The default
     * ignores the metadata.
     */
    default Recognition recognize(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        return recognize(tensors);
    }

    /**
     * Loads a checkpoint (a single {@code .safetensors} file or a diffusers folder) with weights
     * memory-mapped from the file.
     *
     * @throws dev.lathe.api.InvalidInputException listing missing or misshapen tensors, or naming
     *         the family the checkpoint belongs to instead
     */
    BaseModel load(Path checkpoint, LoadOptions options);

    /**
     * The LoRA target modules of a checkpoint of this family, named exactly as kohya-ss names
     * them ({@code lora_unet_...}, {@code lora_te_...}), computed from shapes alone.
     */
    List<LoraTarget> loraTargets(Map<String, TensorInfo> tensors, LoraScope scope);
}
