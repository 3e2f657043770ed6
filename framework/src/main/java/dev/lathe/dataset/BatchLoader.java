package dev.lathe.dataset;

import ai.djl.ndarray.NDManager;
import dev.lathe.api.model.SizeConditioning;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Turns a {@link BatchPlan} into a {@link Batch}, as kohya's {@code BaseDataset.__getitem__}
 * builds one: per sample, in kohya's order of random draws, the flip decision (probability 0.5
 * with flip augmentation), then either the cached latents (the mirrored ones when flipped) or the
 * image itself — decoded, resized and cropped into the bucket (a random crop when enabled), color
 * augmented, mirrored — and last the caption processing. Every draw comes from the sample's own
 * stream of (seed, epoch, step, slot), so loading the same plan twice gives the same batch.
 */
public final class BatchLoader {

    private final KohyaDataset dataset;
    private final LatentCache cache;

    /**
     * @param cache the latents from {@link LatentCache#build}, or null to load pixels each step
     */
    public BatchLoader(KohyaDataset dataset, LatentCache cache) {
        this.dataset = dataset;
        this.cache = cache;
    }

    /** Whether batches carry latents (cached) rather than pixels. */
    public boolean cachedLatents() {
        return cache != null;
    }

    /**
     * The batch for {@code plan}, its arrays created in {@code manager} (or the caller's open
     * {@link ai.djl.ndarray.NDScope}): {@code prepare(plan).toBatch(manager)}.
     *
     * @throws dev.lathe.api.InvalidInputException when an image cannot be decoded
     */
    public Batch load(BatchPlan plan, NDManager manager) {
        return prepare(plan).toBatch(manager);
    }

    /**
     * The batch for {@code plan} in the Java heap, without touching the tensor engine: safe to call
     * from a background thread to prepare the next batch while the current one trains.
     *
     * @throws dev.lathe.api.InvalidInputException when an image cannot be decoded
     */
    public HostBatch prepare(BatchPlan plan) {
        DatasetOptions.Augmentation augmentation = dataset.options().augmentation();
        Resolution bucket = plan.resolution();
        int n = plan.size();
        List<String> captions = new ArrayList<>(n);
        List<SizeConditioning> sizes = new ArrayList<>(n);
        List<DatasetImage> images = new ArrayList<>(n);
        boolean[] flipped = new boolean[n];
        float[] weights = new float[n];
        float[] data = null;
        long[] sampleShape = null;
        for (int slot = 0; slot < n; slot++) {
            DatasetImage image = dataset.images().get(plan.images().get(slot));
            Random random = Seeds.sample(dataset.options().seed(), plan.epoch(), plan.step(), slot);
            boolean flip = augmentation.flip() && random.nextDouble() < 0.5;
            float[] values;
            int originalWidth;
            int originalHeight;
            if (cache != null) {
                values = cache.latents(image.index(), flip);
                sampleShape = cache.shape(image.index());
                originalWidth = image.size().width();
                originalHeight = image.size().height();
            } else {
                RgbImage decoded = decode(image);
                originalWidth = decoded.width();
                originalHeight = decoded.height();
                RgbImage prepared = TrainingImage.resizeAndCrop(decoded, image.bucket(), augmentation.randomCrop(),
                        random);
                if (augmentation.color()) {
                    prepared = ColorAugmentation.apply(prepared, random);
                }
                if (flip) {
                    prepared = prepared.flipped();
                }
                values = prepared.toChwFloats();
                sampleShape = new long[] {3, bucket.height(), bucket.width()};
            }
            if (data == null) {
                data = new float[values.length * n];
            }
            System.arraycopy(values, 0, data, slot * values.length, values.length);
            flipped[slot] = flip;
            weights[slot] = 1.0f;
            sizes.add(TrainingImage.sizeConditioning(bucket, originalWidth, originalHeight, flip));
            captions.add(dataset.processCaption(image, plan.epoch(), random));
            images.add(image);
        }
        long[] shape = {n, sampleShape[0], sampleShape[1], sampleShape[2]};
        return new HostBatch(plan, cache != null, shape, data, List.copyOf(captions), weights, List.copyOf(sizes),
                flipped, List.copyOf(images));
    }

    private static RgbImage decode(DatasetImage image) {
        try {
            return ImageFiles.read(image.path());
        } catch (ImageFiles.CorruptImageException e) {
            throw ImageFiles.invalid(List.of(ImageFiles.problem(image.path(), e)), "of the dataset");
        }
    }
}
