package dev.lathe.sampling;

import ai.djl.ndarray.NDArray;

/**
 * Fresh standard-normal noise for the stochastic samplers, k-diffusion's
 * {@code noise_sampler(sigma, sigma_next)}: each call is one draw for the step (or half-step)
 * from {@code sigma} to {@code sigmaNext}. A source may ignore the noise levels (a sequential
 * generator) or use them (a Brownian tree).
 */
@FunctionalInterface
public interface NoiseSource {

    /**
     * A new array of independent N(0, 1) values shaped, typed and placed like {@code like} and
     * attached to its manager, created on the calling thread (so the sampler's step scope frees it).
     */
    NDArray next(double sigma, double sigmaNext, NDArray like);
}
