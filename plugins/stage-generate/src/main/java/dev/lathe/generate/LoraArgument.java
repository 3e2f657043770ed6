package dev.lathe.generate;

import dev.lathe.api.InvalidInputException;
import dev.lathe.render.LoraUse;
import dev.lathe.text.LoraTag;
import dev.lathe.text.ParsedPrompt;
import dev.lathe.text.PromptParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code FILE[:STRENGTH]} as {@code --lora} takes it: STRENGTH in the syntax of a prompt tag's
 * strengths — a number, {@code TE:UNET}, or a schedule {@code 0.8@0,0@1} — and 1 when left out.
 * The file is found first, so a path with colons in it still works: the longest prefix before a
 * colon that names an existing file is the file.
 */
final class LoraArgument {

    private LoraArgument() {
    }

    static LoraUse parse(String argument, String option) {
        Path whole = Path.of(argument);
        if (Files.isRegularFile(whole)) {
            return LoraUse.of(whole, 1.0);
        }
        for (int colon = argument.lastIndexOf(':'); colon > 0; colon = argument.lastIndexOf(':', colon - 1)) {
            Path file = Path.of(argument.substring(0, colon));
            if (Files.isRegularFile(file)) {
                LoraTag tag = strengths(argument.substring(colon + 1), argument, option);
                return new LoraUse(file, stem(file), tag.textEncoder(), tag.unet(), false);
            }
        }
        int colon = argument.indexOf(':');
        String file = colon < 0 ? argument : argument.substring(0, colon);
        throw new InvalidInputException(option + " " + argument + ": the LoRA file " + file + " does not exist. Write "
                + option + " FILE or " + option + " FILE:STRENGTH, e.g. " + option + " my-lora.safetensors:0.8.");
    }

    /** {@code FILE:S1,S2,...}: one LoRA at several constant strengths (an axis of a grid). */
    static List<LoraUse> axis(String argument, String option) {
        int colon = argument.lastIndexOf(':');
        Path file = Path.of(colon < 0 ? argument : argument.substring(0, colon));
        if (colon < 0 || !Files.isRegularFile(file)) {
            throw new InvalidInputException(option + " " + argument + ": write " + option + " FILE:S1,S2,... with an existing "
                    + "LoRA file and the strengths to compare, e.g. " + option + " my-lora.safetensors:0,0.5,1"
                    + (colon < 0 ? "." : "; the file " + file + " does not exist."));
        }
        List<LoraUse> uses = new ArrayList<>();
        for (String value : argument.substring(colon + 1).split(",")) {
            try {
                uses.add(LoraUse.of(file, Double.parseDouble(value.strip())));
            } catch (NumberFormatException e) {
                throw new InvalidInputException(option + " " + argument + ": \"" + value.strip() + "\" is not a strength; "
                        + "give numbers separated by commas, e.g. 0,0.5,1.");
            }
        }
        return uses;
    }

    private static LoraTag strengths(String text, String argument, String option) {
        try {
            ParsedPrompt parsed = PromptParser.parse("<lora:x:" + text + ">");
            if (parsed.loras().size() == 1 && !text.isBlank() && !text.contains(">")) {
                return parsed.loras().get(0);
            }
        } catch (InvalidInputException e) {
            throw new InvalidInputException(option + " " + argument + ": the strength \"" + text + "\" cannot be read. Give a "
                    + "number (0.8), text-encoder and UNet strengths (0.8:0.5) or a schedule of strength@progress points "
                    + "(0.8@0,0@1).", e);
        }
        throw new InvalidInputException(option + " " + argument + ": the strength \"" + text + "\" cannot be read. Give a "
                + "number such as 0.8.");
    }

    static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
