/**
 * Training data in kohya-ss/sd-scripts' DreamBooth folder convention, prepared exactly as
 * sd-scripts prepares it: {@code <repeats>_<name>/} folders of images and caption files
 * ({@link dev.lathe.dataset.KohyaDataset#open}), caption shuffling and dropout
 * ({@link dev.lathe.dataset.CaptionProcessor}), aspect-ratio buckets
 * ({@link dev.lathe.dataset.BucketResolutions}, {@link dev.lathe.dataset.BucketSelector}), resizing,
 * cropping and augmentation, cached latents ({@link dev.lathe.dataset.LatentCache}) and the
 * batches of an epoch ({@link dev.lathe.dataset.EpochPlan}, {@link dev.lathe.dataset.BatchLoader}).
 * docs/datasets.md describes it for users.
 */
@Export
@Version("0.1.0")
package dev.lathe.dataset;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
