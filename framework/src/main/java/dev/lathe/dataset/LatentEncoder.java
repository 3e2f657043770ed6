package dev.lathe.dataset;

import ai.djl.ndarray.NDArray;

/**
 * Encodes images to the latents the UNet trains on; the trainer passes its model's VAE, e.g.
 * {@code (pixels, seeds) -> model.encodeImages(pixels, new SeededNoise(seeds).draw(pixels.getManager(),
 * new Shape(seeds.length, 4, h / f, w / f)))} with {@code f = model.vaeDownscale()}.
 */
@FunctionalInterface
public interface LatentEncoder {

    /**
     * Latents {@code [B, C, H/f, W/f]} ({@code f} the VAE's downscale, 8 for SD) for {@code pixels} {@code [B, 3, H, W]} (float32 in [-1, 1]).
     * kohya caches a sample of the VAE's posterior, not its mean; {@code noiseSeeds} (one per
     * image) seed that sample's noise, so an image always gets the same latents however often
     * and in whatever order it is encoded. The result may belong to {@code pixels}' manager.
     */
    NDArray encode(NDArray pixels, long[] noiseSeeds);
}
