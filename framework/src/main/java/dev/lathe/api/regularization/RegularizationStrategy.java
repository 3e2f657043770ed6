package dev.lathe.api.regularization;

import dev.lathe.api.Options;
import dev.lathe.api.Plugin;

/**
 * Decides what a training run mixes into its batches besides the dataset: nothing ({@code none}),
 * generated class images ({@code class-images}) or real photos ({@code ground-truth}).
 */
public interface RegularizationStrategy extends Plugin {

    /**
     * Prepares the regularization set for one training run (may generate images into
     * {@link RegularizationRequest#workDir()}).
     */
    RegularizationSet prepare(RegularizationRequest request, Options options);
}
