package dev.lathe.api.regularization;

import java.nio.file.Path;

/** One regularization image, its caption and how many times an epoch uses it. */
public record RegularizationImage(Path image, String caption, int repeats) {
}
