package dev.lathe.sampling;

import ai.djl.ndarray.NDArray;

/**
 * A denoiser in k-diffusion's sense: given a noisy latent {@code x = x0 + σ·ε} at noise level
 * {@code sigma}, its estimate of the clean latent {@code x0}. Samplers only ever talk to this.
 */
@FunctionalInterface
public interface Denoiser {

    /**
     * The estimate of the clean latent for {@code x} at noise level {@code sigma}: a new array of
     * {@code x}'s shape and dtype (never {@code x} itself, nor an array the denoiser keeps).
     */
    NDArray denoise(NDArray x, double sigma);
}
