package dev.lathe.dataset;

/**
 * Where one image goes: its bucket, the size it is resized to before the crop (at least the
 * bucket in both directions), and kohya's aspect-ratio error, bucket ratio minus image ratio.
 */
public record BucketAssignment(Resolution bucket, Resolution resized, double aspectRatioError) {
}
