package dev.lathe.api.model;

/**
 * Which modules a LoRA covers.
 *
 * @param unet        the UNet's transformer Linear and 1x1-conv layers
 * @param textEncoder the text encoders' attention and MLP projections
 * @param convBlocks  also the ResNet and up/down-sampler 3x3 convolutions (LoCon)
 */
public record LoraScope(boolean unet, boolean textEncoder, boolean convBlocks) {
    public static LoraScope defaults() {
        return new LoraScope(true, true, false);
    }
}
