package dev.lathe.merge;

import dev.lathe.api.InvalidInputException;
import dev.lathe.lora.LoraToMerge;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code FILE[:STRENGTH]} as {@code lathe merge --lora} takes it: STRENGTH a number, 1 when left
 * out. A path that names an existing file as a whole is the file, so a file name with a colon in
 * it still works.
 */
final class LoraArgument {

    private LoraArgument() {
    }

    static LoraToMerge parse(String argument) {
        Path whole = Path.of(argument);
        if (Files.isRegularFile(whole)) {
            return new LoraToMerge(whole, 1.0);
        }
        int colon = argument.lastIndexOf(':');
        Path file = Path.of(colon < 0 ? argument : argument.substring(0, colon));
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("--lora " + argument + ": the LoRA file " + file + " does not exist. Write "
                    + "--lora FILE or --lora FILE:STRENGTH, e.g. --lora my-lora.safetensors:0.8.");
        }
        String text = argument.substring(colon + 1).strip();
        try {
            double strength = Double.parseDouble(text);
            if (Double.isFinite(strength)) {
                return new LoraToMerge(file, strength);
            }
        } catch (NumberFormatException e) {
            // explained below
        }
        throw new InvalidInputException("--lora " + argument + ": the strength \"" + text + "\" is not a number. Give the "
                + "strength after the last colon, e.g. --lora " + file + ":0.8.");
    }
}
