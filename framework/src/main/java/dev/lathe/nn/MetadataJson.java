package dev.lathe.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/**
 * Model settings a checkpoint's metadata may carry as JSON text: a single file's
 * {@code __metadata__} entries such as {@code unet_config}, or a diffusers folder's
 * {@code unet/config.json}. Unreadable or absent entries are simply absent: the families then
 * fall back to the tensors and their conventions.
 */
public final class MetadataJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MetadataJson() {
    }

    /** The JSON object stored under {@code key}, or null when there is none or it is not a JSON object. */
    public static JsonNode object(Map<String, String> metadata, String key) {
        String text = metadata == null ? null : metadata.get(key);
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (Exception e) {
            return null; // unreadable metadata: the caller falls back to the conventions
        }
    }

    /** The first of {@code keys} that {@code node} has as a positive integer, or -1. */
    public static int positiveInt(JsonNode node, String... keys) {
        if (node == null) {
            return -1;
        }
        for (String key : keys) {
            JsonNode value = node.get(key);
            if (value != null && value.canConvertToInt() && value.asInt() > 0) {
                return value.asInt();
            }
        }
        return -1;
    }
}
