package dev.lathe.api.model;

import java.nio.file.Path;

/**
 * How to load a checkpoint.
 *
 * @param device      {@code cpu} or {@code gpu}
 * @param computeType {@code float32} or {@code float16} (float16 on GPU only)
 * @param tokenizer   a folder (or OpenAI {@code .gz} file) holding the tokenizer, or null to look
 *                    beside the checkpoint, then in the cache, then download it once
 */
public record LoadOptions(String device, String computeType, Path tokenizer) {

    public LoadOptions(String device, String computeType) {
        this(device, computeType, null);
    }

    public static LoadOptions cpuFloat32() {
        return new LoadOptions("cpu", "float32");
    }
}
