package dev.lathe.generate;

import dev.lathe.render.GenerationParameters;
import dev.lathe.render.LoraUse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One row of a comparison: the LoRAs (each at one strength) every image of the row is rendered
 * with, optionally the negative prompt, and how the row is named in labels and folder names.
 *
 * @param label          e.g. {@code epoch-3 0.5}, {@code no LoRA}, or {@code wrong 1, neg: wrong}
 * @param folder         a file-system-safe form of it, e.g. {@code epoch-3@0.5}, {@code base}, or
 *                       {@code wrong@1+neg=wrong}
 * @param loras          the LoRAs
 * @param negativePrompt the negative prompt of every image of the row, or null for each prompt's own
 */
record Variant(String label, String folder, List<LoraUse> loras, String negativePrompt) {

    /** How much of a negative prompt goes into a folder name. */
    static final int NEGATIVE_IN_FOLDER = 40;

    Variant {
        loras = List.copyOf(loras);
    }

    static Variant of(List<LoraUse> loras, boolean showStrength) {
        if (loras.isEmpty()) {
            return new Variant("no LoRA", "base", loras, null);
        }
        List<String> labels = new ArrayList<>();
        List<String> folders = new ArrayList<>();
        for (LoraUse lora : loras) {
            String strength = lora.unet().text();
            labels.add(showStrength ? lora.name() + " " + strength : lora.name());
            folders.add(showStrength ? lora.name() + "@" + strength : lora.name());
        }
        return new Variant(String.join(", ", labels), safe(String.join("+", folders)), loras, null);
    }

    /** This variant with every image's negative prompt replaced by {@code negative}, named after it. */
    Variant withNegativePrompt(String negative) {
        String shown = negative.isEmpty() ? "none" : negative.strip();
        String inFolder = shown.length() > NEGATIVE_IN_FOLDER ? shown.substring(0, NEGATIVE_IN_FOLDER) : shown;
        return new Variant(label + (negative.isEmpty() ? ", no negative" : ", neg: " + shown),
                folder + "+neg=" + safe(inFolder), loras, negative);
    }

    /** Every combination of one choice per LoRA (the first LoRA varying slowest), as variants. */
    static List<Variant> combinations(List<List<LoraUse>> choices) {
        return combinations(choices, List.of());
    }

    /**
     * Every combination of one choice per LoRA and, when {@code negativePrompts} is not empty, one
     * of them (varying fastest); folder names that would clash (long negative prompts cut short,
     * two LoRA files of the same name) get {@code -2}, {@code -3}, ... appended.
     */
    static List<Variant> combinations(List<List<LoraUse>> choices, List<String> negativePrompts) {
        List<List<LoraUse>> combos = new ArrayList<>();
        combos.add(List.of());
        for (List<LoraUse> options : choices) {
            List<List<LoraUse>> next = new ArrayList<>();
            for (List<LoraUse> prefix : combos) {
                for (LoraUse option : options) {
                    List<LoraUse> combo = new ArrayList<>(prefix);
                    combo.add(option);
                    next.add(combo);
                }
            }
            combos = next;
        }
        boolean showStrength = choices.stream().anyMatch(options -> options.stream()
                .map(o -> o.unet().text()).distinct().count() > 1);
        List<Variant> variants = new ArrayList<>();
        for (List<LoraUse> combo : combos) {
            Variant loraVariant = of(combo, showStrength);
            if (negativePrompts.isEmpty()) {
                variants.add(loraVariant);
            } else {
                negativePrompts.forEach(n -> variants.add(loraVariant.withNegativePrompt(n)));
            }
        }
        return uniqueFolders(variants);
    }

    private static List<Variant> uniqueFolders(List<Variant> variants) {
        Set<String> taken = new HashSet<>();
        List<Variant> unique = new ArrayList<>();
        for (Variant v : variants) {
            String folder = v.folder();
            for (int n = 2; !taken.add(folder); n++) {
                folder = v.folder() + "-" + n;
            }
            unique.add(new Variant(v.label(), folder, v.loras(), v.negativePrompt()));
        }
        return unique;
    }

    static String safe(String name) {
        String cleaned = name.replaceAll("[^A-Za-z0-9._@+=-]", "_");
        return cleaned.isEmpty() || cleaned.startsWith(".") ? "_" + cleaned : cleaned;
    }

    /** A strength as labels show it. */
    static String strength(double value) {
        return GenerationParameters.number(value);
    }
}
