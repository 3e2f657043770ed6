package dev.lathe.render;

import dev.lathe.text.LoraStrength;
import dev.lathe.text.LoraTag;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One LoRA applied to a render, unmerged: a kohya LoRA file with its strength on the text
 * encoder(s) and on the UNet; each strength may change over the sampling steps
 * ({@link LoraStrength}).
 *
 * @param file        the {@code .safetensors} file
 * @param name        how the infotext names it: the prompt tag's name, else the file name without extension
 * @param textEncoder strength on the text encoder(s)
 * @param unet        strength on the UNet
 * @param fromPrompt  whether it came from a {@code <lora:…>} tag in the prompt (else the infotext's
 *                    prompt gets a tag for it, so that A1111 applies it when the parameters are pasted)
 */
public record LoraUse(Path file, String name, LoraStrength textEncoder, LoraStrength unet, boolean fromPrompt) {

    public LoraUse {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(textEncoder, "textEncoder");
        Objects.requireNonNull(unet, "unet");
    }

    /** {@code file} at one strength on text encoder and UNet alike. */
    public static LoraUse of(Path file, double strength) {
        LoraStrength s = constant(strength);
        return new LoraUse(file, stem(file), s, s, false);
    }

    /** {@code file} at {@code strength}, a number or a schedule as a tag writes it ({@code 0.8@0,0@1}). */
    public static LoraUse of(Path file, LoraStrength strength) {
        return new LoraUse(file, stem(file), strength, strength, false);
    }

    /** The file a prompt's tag names, with the tag's strengths. */
    public static LoraUse fromTag(LoraTag tag, Path file) {
        return new LoraUse(file, tag.name(), tag.textEncoder(), tag.unet(), true);
    }

    /** This LoRA at another constant strength. */
    public LoraUse withStrength(double strength) {
        LoraStrength s = constant(strength);
        return new LoraUse(file, name, s, s, fromPrompt);
    }

    /** A constant strength written without trailing zeros ({@code 1}, {@code 0.8}). */
    public static LoraStrength constant(double strength) {
        return new LoraStrength(java.util.List.of(new LoraStrength.Point(strength, 0)),
                GenerationParameters.number(strength));
    }

    /** The A1111 tag for this use: {@code <lora:name:0.8>}, or {@code <lora:name:te:unet>} when they differ. */
    public String tag() {
        String te = textEncoder.text();
        String u = unet.text();
        return "<lora:" + name + ":" + (te.equals(u) ? te : te + ":" + u) + ">";
    }

    /** The file name without {@code .safetensors} (or whatever extension it has). */
    static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
