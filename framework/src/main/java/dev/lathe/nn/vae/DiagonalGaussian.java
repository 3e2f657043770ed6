package dev.lathe.nn.vae;

import ai.djl.ndarray.NDArray;

/**
 * The VAE encoder's posterior, a diagonal Gaussian per latent element.
 *
 * @param moments {@code quant_conv} output {@code [B, 2z, h, w]}: mean then log-variance channels
 * @param mean    {@code [B, z, h, w]}
 * @param logvar  log-variance clamped to [−30, 20]
 * @param std     {@code exp(0.5·logvar)}
 */
public record DiagonalGaussian(NDArray moments, NDArray mean, NDArray logvar, NDArray std) implements AutoCloseable {

    /** {@code mean + std·noise}, with {@code noise} standard normal of the mean's shape. */
    public NDArray sample(NDArray noise) {
        return std.mul(noise).addi(mean);
    }

    @Override
    public void close() {
        moments.close();
        mean.close();
        logvar.close();
        std.close();
    }
}
