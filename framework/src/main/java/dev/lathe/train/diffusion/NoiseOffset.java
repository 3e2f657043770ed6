package dev.lathe.train.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;

/**
 * Offset noise (kohya {@code --noise_offset}, crosslabs.org "diffusion with offset noise"): adds
 * one random shift per sample and channel to the noise, so the model learns to change an image's
 * overall brightness and colour, which plain per-pixel noise almost never asks of it.
 *
 * <pre>
 * noise' = noise + offset_bc * r_bc                r_bc ~ N(0, 1), shape [B, C, 1, 1]
 * offset_bc = offset                                without adaptive scale
 * offset_bc = max(0, offset + adaptiveScale * |mean over H, W of latents_bc|)    with it
 * </pre>
 * With {@code randomStrength} ({@code --noise_offset_random_strength}) the offset is first
 * multiplied by one uniform draw in [0, 1) per batch. The result replaces the noise everywhere:
 * it is added to the latents and is the epsilon target.
 *
 * @param offset         {@code --noise_offset} (e.g. 0.1), 0 = off
 * @param adaptiveScale  {@code --adaptive_noise_scale} (e.g. 0.05), 0 = off
 * @param randomStrength {@code --noise_offset_random_strength}
 */
public record NoiseOffset(double offset, double adaptiveScale, boolean randomStrength) {

    public NoiseOffset {
        if (!(offset >= 0) || Double.isNaN(adaptiveScale)) {
            throw new IllegalArgumentException("noise offset must be >= 0, got " + offset);
        }
    }

    public static NoiseOffset of(double offset) {
        return new NoiseOffset(offset, 0, false);
    }

    public boolean enabled() {
        return offset > 0;
    }

    /**
     * Draws {@code r} (and the random strength) from {@code random} and applies the offset; returns
     * {@code noise} itself when the offset is off.
     */
    public NDArray apply(NDArray latents, NDArray noise, RandomGenerator random) {
        if (!enabled()) {
            return noise;
        }
        double strength = randomStrength ? random.nextDouble() * offset : offset;
        Shape perChannel = new Shape(latents.getShape().get(0), latents.getShape().get(1), 1, 1);
        NDArray r = Noise.standardNormal(noise.getManager(), perChannel, random);
        return apply(latents, noise, r, strength);
    }

    /** {@code noise + offset_bc * r} with the given draw {@code r} of shape {@code [B, C, 1, 1]}. */
    public NDArray apply(NDArray latents, NDArray noise, NDArray r) {
        return apply(latents, noise, r, offset);
    }

    /**
     * The per-(sample, channel) offsets {@code offset_bc}, shape {@code [B, C, 1, 1]}, for the
     * base offset {@code strength}.
     */
    public NDArray offsets(NDArray latents, double strength) {
        Shape shape = latents.getShape();
        Shape perChannel = new Shape(shape.get(0), shape.get(1), 1, 1);
        // DJL's PyTorch mean reduces one axis at a time: flatten H, W first.
        NDArray channelMeans = latents.reshape(shape.get(0), shape.get(1), -1).mean(new int[] {2}).reshape(perChannel).abs();
        // Latents never carry gradients, so scalar overloads are safe here.
        return channelMeans.mul(adaptiveScale).add(strength).maximum(0f);
    }

    private NDArray apply(NDArray latents, NDArray noise, NDArray r, double strength) {
        if (adaptiveScale == 0) {
            return noise.add(r.mul(strength));
        }
        return noise.add(offsets(latents, strength).mul(r));
    }
}
