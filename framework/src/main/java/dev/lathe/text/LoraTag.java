package dev.lathe.text;

/**
 * A {@code <lora:name:…>} tag taken out of a prompt, as AUTOMATIC1111 reads it:
 * {@code <lora:name>} (strength 1), {@code <lora:name:0.8>} (both parts 0.8),
 * {@code <lora:name:0.8:0.5>} (text encoder 0.8, UNet 0.5), named {@code te=} and {@code unet=}
 * parts; each strength may be a schedule ({@link LoraStrength}). {@code <lyco:…>} is the same.
 *
 * @param name        the LoRA's name (its file name without extension, as A1111 looks it up)
 * @param textEncoder strength on the text encoder(s)
 * @param unet        strength on the UNet
 * @param tag         the tag as written in the prompt
 */
public record LoraTag(String name, LoraStrength textEncoder, LoraStrength unet, String tag) {
}
