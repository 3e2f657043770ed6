package dev.lathe.api.model;

import java.util.Objects;

/**
 * One module a LoRA adapts.
 *
 * @param loraName    the kohya module name, e.g. {@code lora_unet_down_blocks_0_attentions_0_proj_in}
 * @param weightKey   the checkpoint key of the adapted weight
 * @param inFeatures  input features (Linear) or input channels (Conv2d)
 * @param outFeatures output features or channels
 * @param kernel      1 for Linear and 1x1 convs, 3 for 3x3 convs
 * @param conv        whether the module is a Conv2d (its LoRA weights are 4-D)
 */
public record LoraTarget(String loraName, String weightKey, long inFeatures, long outFeatures, int kernel, boolean conv) {
    public LoraTarget {
        Objects.requireNonNull(loraName, "loraName");
        Objects.requireNonNull(weightKey, "weightKey");
    }
}
