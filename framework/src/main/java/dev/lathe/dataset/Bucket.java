package dev.lathe.dataset;

import java.util.List;

/**
 * One aspect-ratio bucket: its resolution and the images in it, each listed as often as its
 * folder repeats it (kohya's bucket contents before shuffling).
 *
 * @param index      position in {@link KohyaDataset#buckets()}, sorted by resolution (width, then height)
 * @param resolution the bucket's width × height: every image in it is resized and cropped to exactly this
 * @param images     {@link DatasetImage#index()} per sample, in image order, repeats included
 */
public record Bucket(int index, Resolution resolution, List<Integer> images) {

    public Bucket {
        images = List.copyOf(images);
    }

    /** Samples per epoch in this bucket (images × repeats). */
    public int count() {
        return images.size();
    }

    /** Batches per epoch in this bucket: ⌈count / batchSize⌉. */
    public int batches(int batchSize) {
        return (images.size() + batchSize - 1) / batchSize;
    }
}
