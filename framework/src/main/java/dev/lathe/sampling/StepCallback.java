package dev.lathe.sampling;

import ai.djl.ndarray.NDArray;

/** Called once per sampler step, before the step updates {@code x}: progress, previews, traces. */
@FunctionalInterface
public interface StepCallback {

    /** Does nothing. */
    StepCallback NONE = (step, sigma, sigmaNext, x, denoised) -> { };

    /**
     * Step {@code step} (0-based) from {@code sigma} to {@code sigmaNext} is about to update
     * {@code x}, whose clean-latent estimate is {@code denoised} (for two-evaluation samplers the
     * first evaluation). Both arrays are freed when the step ends: copy what you keep.
     */
    void onStep(int step, double sigma, double sigmaNext, NDArray x, NDArray denoised);
}
