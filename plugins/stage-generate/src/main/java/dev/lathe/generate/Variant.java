package dev.lathe.generate;

import dev.lathe.render.GenerationParameters;
import dev.lathe.render.LoraUse;
import java.util.ArrayList;
import java.util.List;

/**
 * One row of a comparison: the LoRAs (each at one strength) every image of the row is rendered
 * with, and how the row is named in labels and folder names.
 *
 * @param label  e.g. {@code epoch-3 0.5}, or {@code no LoRA}
 * @param folder a file-system-safe form of it, e.g. {@code epoch-3@0.5}, or {@code base}
 * @param loras  the LoRAs
 */
record Variant(String label, String folder, List<LoraUse> loras) {

    Variant {
        loras = List.copyOf(loras);
    }

    static Variant of(List<LoraUse> loras, boolean showStrength) {
        if (loras.isEmpty()) {
            return new Variant("no LoRA", "base", loras);
        }
        List<String> labels = new ArrayList<>();
        List<String> folders = new ArrayList<>();
        for (LoraUse lora : loras) {
            String strength = lora.unet().text();
            labels.add(showStrength ? lora.name() + " " + strength : lora.name());
            folders.add(showStrength ? lora.name() + "@" + strength : lora.name());
        }
        return new Variant(String.join(", ", labels), safe(String.join("+", folders)), loras);
    }

    /** Every combination of one choice per LoRA (the first LoRA varying slowest), as variants. */
    static List<Variant> combinations(List<List<LoraUse>> choices) {
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
        return combos.stream().map(c -> of(c, showStrength)).toList();
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
