package dev.lathe.dataset;

import java.util.List;

/**
 * Which samples make one batch: all from one bucket, so they share a resolution.
 *
 * @param epoch      the epoch, counted from 1
 * @param step       the batch's position in the epoch, from 0
 * @param bucket     {@link Bucket#index()}
 * @param resolution the bucket's resolution (pixels; latents are 1/8 of it)
 * @param images     {@link DatasetImage#index()} per sample (an image may appear more than once: repeats)
 */
public record BatchPlan(int epoch, int step, int bucket, Resolution resolution, List<Integer> images) {

    public BatchPlan {
        images = List.copyOf(images);
    }

    public int size() {
        return images.size();
    }
}
