package dev.lathe.api.regularization;

import java.nio.file.Path;

/**
 * What a strategy knows about the run it regularizes.
 *
 * @param trainImageCount images in the training set (with repeats), to size the regularization set
 * @param classPrompt     the class the subject belongs to ({@code woman}), or empty
 * @param workDir         a folder the strategy may write into
 */
public record RegularizationRequest(long trainImageCount, String classPrompt, Path workDir) {
}
