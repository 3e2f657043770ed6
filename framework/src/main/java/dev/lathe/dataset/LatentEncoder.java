package dev.lathe.dataset;

import ai.djl.ndarray.NDArray;

/**
 * Encodes images to the latents the UNet trains on; the trainer passes its model's VAE, e.g.
 * {@code (pixels, seeds) -> model.encodeImages(pixels, new SeededNoise(seeds).draw(pixels.getManager(),
 * new Shape(seeds.length, 4, h / 8, w / 8)))}.
 */
@FunctionalInterface
public interface LatentEncoder {

    /**
     * Latents {@code [B, C, H/8, W/8]} for {@code pixels} {@code [B, 3, H, W]} (float32 in [-1, 1]).
     * kohya caches a sample of the VAE's posterior, not its mean; {@code noiseSeeds} (one per
     * image) seed that sample's noise, so an image always gets the same latents however often
     * and in whatever order it is encoded. The result may belong to {@code pixels}' manager.
     */
    NDArray encode(NDArray pixels, long[] noiseSeeds);
}
