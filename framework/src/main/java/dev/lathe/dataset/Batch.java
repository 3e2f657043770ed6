package dev.lathe.dataset;

import ai.djl.ndarray.NDArray;
import dev.lathe.api.model.SizeConditioning;
import java.util.List;

/**
 * One training batch, as kohya's dataset hands it to the training loop.
 *
 * @param plan        which samples these are
 * @param latents     {@code [B, C, h, w]} float32 cached latents (UNet space as the encoder returned them), or null when {@code pixels} is set
 * @param pixels      {@code [B, 3, H, W]} float32 images in [-1, 1] to encode each step, or null when {@code latents} is set
 * @param captions    the processed caption per sample (shuffled, dropped... for this epoch and step)
 * @param lossWeights per sample, 1.0 (kohya gives regularization images {@code prior_loss_weight}; this dataset has none)
 * @param sizes       SDXL's size conditioning per sample (original size, crop top-left, bucket size)
 * @param flipped     per sample, whether it was mirrored
 * @param images      the dataset images, per sample
 */
public record Batch(BatchPlan plan, NDArray latents, NDArray pixels, List<String> captions, float[] lossWeights,
        List<SizeConditioning> sizes, boolean[] flipped, List<DatasetImage> images) implements AutoCloseable {

    public int size() {
        return captions.size();
    }

    /** Frees the arrays now (they are otherwise freed with their manager or scope). */
    @Override
    public void close() {
        if (latents != null) {
            latents.close();
        }
        if (pixels != null) {
            pixels.close();
        }
    }
}
