package dev.lathe.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A {@link Denoiser} that also takes the conditioning (text embeddings and whatever else the
 * network needs), batched along the first dimension like {@code x}.
 */
@FunctionalInterface
public interface ConditionalDenoiser {

    /** The clean-latent estimate for {@code x} at {@code sigma} under {@code conditioning}; a new array. */
    NDArray denoise(NDArray x, double sigma, NDList conditioning);

    /** This denoiser with the conditioning fixed: no guidance. */
    default Denoiser conditioned(NDList conditioning) {
        return (x, sigma) -> denoise(x, sigma, conditioning);
    }
}
