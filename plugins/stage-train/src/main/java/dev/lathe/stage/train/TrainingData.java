package dev.lathe.stage.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lathe.api.model.SizeConditioning;
import java.util.List;

/** What the trainer needs from a dataset: a fixed number of batches per epoch, in a reproducible order. */
interface TrainingData {

    /** Batches per epoch (the same every epoch). */
    int batchesPerEpoch();

    /** The batches of {@code epoch} (1-based), in training order; the same for the same epoch and seed. */
    List<? extends Batch> epoch(int epoch);

    /** What the LoRA metadata records about the dataset. */
    DatasetFacts facts();

    /**
     * @param trainImages    images × repeats ({@code ss_num_train_images})
     * @param datasetDirs    {@code ss_dataset_dirs} JSON
     * @param tagFrequency   {@code ss_tag_frequency} JSON
     * @param bucketInfo     {@code ss_bucket_info} JSON, or "None"
     */
    record DatasetFacts(long trainImages, String datasetDirs, String tagFrequency, String bucketInfo) {
    }

    /** One batch: latents made on demand in the step's scope. */
    interface Batch {

        /** UNet-space latents {@code [B, 4, h, w]} in {@code manager}. */
        NDArray latents(NDManager manager);

        /** The captions as processed for this step (shuffled, dropped...). */
        List<String> captions();

        /** Per-sample loss weights. */
        float[] lossWeights();

        /** Per-sample SDXL size conditioning (original size, crop, target size). */
        List<SizeConditioning> sizes();
    }
}
