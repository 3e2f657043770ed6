package dev.lathe.api.model;

/**
 * How to load a checkpoint.
 *
 * @param device      {@code cpu} or {@code gpu}
 * @param computeType {@code float32} or {@code float16} (float16 on GPU only)
 */
public record LoadOptions(String device, String computeType) {
    public static LoadOptions cpuFloat32() {
        return new LoadOptions("cpu", "float32");
    }
}
