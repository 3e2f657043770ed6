package dev.lathe.sampling;

import ai.djl.ndarray.NDArray;

/**
 * A sampling algorithm: walks a latent from noise level {@code sigmas[0]} down through
 * {@code sigmas[1..]}, asking {@code model} for clean-latent estimates along the way.
 * {@link Samplers} holds the implementations.
 */
@FunctionalInterface
public interface Sampler {

    /**
     * Runs the sampler.
     *
     * @param model the denoiser (usually {@link Guidance#cfg} over a {@link CompVisDenoiser})
     * @param x the starting latent at noise level {@code sigmas[0]}: unit noise times
     *     {@link #initialNoiseScale}; not modified or freed
     * @param sigmas the noise levels from a {@link Schedule}, at least two, decreasing
     * @param noise fresh noise for the stochastic samplers (unused by the others)
     * @param callback called once per step, or {@link StepCallback#NONE}
     * @return the final latent to decode, a new array attached to {@code x}'s manager: {@code x} at
     *     the last noise level in the model's variance-preserving scale, {@code x / sqrt(1 + σ²)} —
     *     {@code x} itself for schedules ending at 0, as k-diffusion's do
     */
    NDArray sample(Denoiser model, NDArray x, double[] sigmas, NoiseSource noise, StepCallback callback);

    /**
     * What unit noise is multiplied by to start: {@code sigmas[0]}, AUTOMATIC1111's convention for
     * k-diffusion samplers (ComfyUI uses sqrt(1 + σ<sub>max</sub>²) when starting from pure noise).
     */
    default double initialNoiseScale(double[] sigmas) {
        return sigmas[0];
    }
}
