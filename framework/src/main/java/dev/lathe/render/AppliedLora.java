package dev.lathe.render;

/**
 * The strength a LoRA is applied at during one sampling step.
 *
 * @param name        the LoRA's name (tag name or file name)
 * @param textEncoder the multiplier on its text-encoder modules
 * @param unet        the multiplier on its UNet modules
 */
public record AppliedLora(String name, double textEncoder, double unet) {
}
