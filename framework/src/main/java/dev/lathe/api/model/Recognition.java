package dev.lathe.api.model;

import java.util.Map;

/**
 * What a family makes of a checkpoint.
 *
 * @param recognized   whether the checkpoint belongs to the family
 * @param family       the family id that answered
 * @param variant      e.g. {@code SD 1.x}, {@code SD 2.x (v-prediction)}, {@code SDXL base}
 * @param architecture inferred settings for display (channels, levels, heads, text width, ...),
 *                     in a stable order
 * @param reason       for a checkpoint not recognized: why, and which family to use instead
 */
public record Recognition(boolean recognized, String family, String variant, Map<String, Object> architecture,
                          String reason) {

    public Recognition {
        architecture = architecture == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(architecture));
    }

    public static Recognition recognized(String family, String variant, Map<String, Object> architecture) {
        return new Recognition(true, family, variant, architecture, "");
    }

    public static Recognition notRecognized(String family, String reason) {
        return new Recognition(false, family, "", Map.of(), reason);
    }
}
