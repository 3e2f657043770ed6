package dev.lathe.lora;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A kohya LoRA file to merge into a checkpoint, and the strength to merge it at (the multiplier
 * m of {@code W + m · alpha/rank · up @ down}, as a UI's LoRA weight).
 *
 * @param file     the LoRA's {@code .safetensors} file
 * @param strength the strength; 1 is the LoRA as trained, 0 leaves the weights as they are,
 *                 negative values subtract it
 */
public record LoraToMerge(Path file, double strength) {

    public LoraToMerge {
        Objects.requireNonNull(file, "file");
        if (!Double.isFinite(strength)) {
            throw new IllegalArgumentException("the strength of " + file + " must be a finite number, got " + strength);
        }
    }
}
