package dev.lathe.dataset;

import dev.lathe.api.InvalidInputException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything that decides how a kohya dataset folder becomes training batches. The defaults are
 * kohya-ss/sd-scripts' (with buckets on, as its GUI sets them, and {@code .txt} captions).
 *
 * @param directory        the dataset folder holding {@code <repeats>_<name>/} folders ({@code --train_data_dir})
 * @param captionExtension the caption files' extension, with or without the dot ({@code --caption_extension})
 * @param width            training resolution width in pixels ({@code --resolution W,H}); the bucket area is width × height
 * @param height           training resolution height in pixels
 * @param buckets          aspect-ratio bucketing
 * @param captions         caption processing per step
 * @param augmentation     flip, color and random-crop augmentation
 * @param batchSize        images per batch ({@code --train_batch_size}); batches never mix buckets
 * @param seed             the training seed: epoch order, flips, crops and caption shuffles derive from it
 */
public record DatasetOptions(Path directory, String captionExtension, int width, int height, BucketOptions buckets,
        CaptionOptions captions, Augmentation augmentation, int batchSize, long seed) {

    public DatasetOptions {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(buckets, "buckets");
        Objects.requireNonNull(captions, "captions");
        Objects.requireNonNull(augmentation, "augmentation");
        captionExtension = captionExtension == null || captionExtension.isEmpty() ? ".txt"
                : captionExtension.startsWith(".") ? captionExtension : "." + captionExtension;
        if (width < 64 || height < 64) {
            throw new InvalidInputException("The training resolution " + width + "x" + height
                    + " is too small: give at least 64 pixels per side (SD 1.5 trains at 512, SDXL at 1024).");
        }
        if (width % 8 != 0 || height % 8 != 0) {
            throw new InvalidInputException("The training resolution " + width + "x" + height + " must be a "
                    + "multiple of 8 on both sides (latents are 1/8 of the image size), e.g. "
                    + (width / 8 * 8) + "x" + (height / 8 * 8) + ".");
        }
        if (batchSize < 1) {
            throw new InvalidInputException("The batch size must be at least 1, not " + batchSize + ".");
        }
    }

    /** kohya's defaults for {@code directory}: 512x512, buckets on, {@code .txt} captions, batch 1, seed 42. */
    public static DatasetOptions of(Path directory) {
        return new DatasetOptions(directory, ".txt", 512, 512, BucketOptions.defaults(), CaptionOptions.defaults(),
                Augmentation.NONE, 1, 42);
    }

    public DatasetOptions withResolution(int newWidth, int newHeight) {
        return new DatasetOptions(directory, captionExtension, newWidth, newHeight, buckets, captions, augmentation,
                batchSize, seed);
    }

    public DatasetOptions withCaptionExtension(String extension) {
        return new DatasetOptions(directory, extension, width, height, buckets, captions, augmentation, batchSize,
                seed);
    }

    public DatasetOptions withBuckets(BucketOptions newBuckets) {
        return new DatasetOptions(directory, captionExtension, width, height, newBuckets, captions, augmentation,
                batchSize, seed);
    }

    public DatasetOptions withCaptions(CaptionOptions newCaptions) {
        return new DatasetOptions(directory, captionExtension, width, height, buckets, newCaptions, augmentation,
                batchSize, seed);
    }

    public DatasetOptions withAugmentation(Augmentation newAugmentation) {
        return new DatasetOptions(directory, captionExtension, width, height, buckets, captions, newAugmentation,
                batchSize, seed);
    }

    public DatasetOptions withBatchSize(int newBatchSize) {
        return new DatasetOptions(directory, captionExtension, width, height, buckets, captions, augmentation,
                newBatchSize, seed);
    }

    public DatasetOptions withSeed(long newSeed) {
        return new DatasetOptions(directory, captionExtension, width, height, buckets, captions, augmentation,
                batchSize, newSeed);
    }

    /**
     * Aspect-ratio bucketing as kohya's {@code --enable_bucket}, {@code --min_bucket_reso},
     * {@code --max_bucket_reso}, {@code --bucket_reso_steps} and {@code --bucket_no_upscale}.
     *
     * @param enabled       off: one bucket of exactly the training resolution (images resized to cover it, then center-cropped)
     * @param minResolution smallest bucket side (rounded down to a multiple of {@code step})
     * @param maxResolution largest bucket side (rounded up to a multiple of {@code step})
     * @param step          bucket sides are multiples of this (64; SD needs at least 8)
     * @param noUpscale     buckets follow each image's own size, never enlarging it (min/max are then ignored)
     */
    public record BucketOptions(boolean enabled, int minResolution, int maxResolution, int step, boolean noUpscale) {

        public BucketOptions {
            if (step < 8 || step % 8 != 0) {
                throw new InvalidInputException("The bucket resolution step must be a positive multiple of 8 "
                        + "(latents are 1/8 of the image size), not " + step + ".");
            }
            if (minResolution < step || maxResolution < minResolution) {
                throw new InvalidInputException("The bucket resolutions must satisfy step <= min <= max; got min "
                        + minResolution + ", max " + maxResolution + ", step " + step + ".");
            }
        }

        /** kohya's defaults with buckets enabled: 256 to 1024 in steps of 64, upscaling allowed. */
        public static BucketOptions defaults() {
            return new BucketOptions(true, 256, 1024, 64, false);
        }

        /** One bucket of the training resolution. */
        public static BucketOptions disabled() {
            return new BucketOptions(false, 256, 1024, 64, false);
        }
    }

    /**
     * Per-step caption processing as kohya's dataset options of the same names.
     *
     * @param shuffle              {@code --shuffle_caption}: shuffle the tags (split at {@code separator}) each time
     * @param separator            {@code caption_separator}: what separates tags ({@code ,})
     * @param keepTokens           {@code --keep_tokens}: this many leading tags stay in front, unshuffled, never dropped
     * @param keepTokensSeparator  {@code --keep_tokens_separator}: alternatively, the tags before it stay fixed (and those after a second one, at the end); empty = unused
     * @param dropoutRate          {@code --caption_dropout_rate}: probability that a sample's whole caption becomes empty
     * @param dropoutEveryNEpochs  {@code --caption_dropout_every_n_epochs}: every caption is empty in epochs divisible by this (0 = never)
     * @param tagDropoutRate       {@code --caption_tag_dropout_rate}: probability that each non-kept tag is dropped
     * @param prefix               {@code caption_prefix}: put before every caption, with a space; null = none
     * @param suffix               {@code caption_suffix}: put after every caption, with a space; null = none
     */
    public record CaptionOptions(boolean shuffle, String separator, int keepTokens, String keepTokensSeparator,
            double dropoutRate, int dropoutEveryNEpochs, double tagDropoutRate, String prefix, String suffix) {

        public CaptionOptions {
            separator = separator == null || separator.isEmpty() ? "," : separator;
            keepTokensSeparator = keepTokensSeparator == null ? "" : keepTokensSeparator;
            if (keepTokens < 0 || dropoutEveryNEpochs < 0) {
                throw new InvalidInputException("keep_tokens and caption_dropout_every_n_epochs cannot be negative.");
            }
            if (!(dropoutRate >= 0 && dropoutRate <= 1) || !(tagDropoutRate >= 0 && tagDropoutRate <= 1)) {
                throw new InvalidInputException("Caption dropout rates are probabilities between 0 and 1; got "
                        + dropoutRate + " and " + tagDropoutRate + ".");
            }
        }

        /** Captions used as written: kohya's defaults. */
        public static CaptionOptions defaults() {
            return new CaptionOptions(false, ",", 0, "", 0, 0, 0, null, null);
        }

        public CaptionOptions withShuffle(boolean on) {
            return new CaptionOptions(on, separator, keepTokens, keepTokensSeparator, dropoutRate,
                    dropoutEveryNEpochs, tagDropoutRate, prefix, suffix);
        }

        public CaptionOptions withKeepTokens(int n) {
            return new CaptionOptions(shuffle, separator, n, keepTokensSeparator, dropoutRate, dropoutEveryNEpochs,
                    tagDropoutRate, prefix, suffix);
        }

        public CaptionOptions withKeepTokensSeparator(String s) {
            return new CaptionOptions(shuffle, separator, keepTokens, s, dropoutRate, dropoutEveryNEpochs,
                    tagDropoutRate, prefix, suffix);
        }

        public CaptionOptions withDropout(double rate, int everyNEpochs) {
            return new CaptionOptions(shuffle, separator, keepTokens, keepTokensSeparator, rate, everyNEpochs,
                    tagDropoutRate, prefix, suffix);
        }

        public CaptionOptions withTagDropout(double rate) {
            return new CaptionOptions(shuffle, separator, keepTokens, keepTokensSeparator, dropoutRate,
                    dropoutEveryNEpochs, rate, prefix, suffix);
        }

        public CaptionOptions withPrefixSuffix(String newPrefix, String newSuffix) {
            return new CaptionOptions(shuffle, separator, keepTokens, keepTokensSeparator, dropoutRate,
                    dropoutEveryNEpochs, tagDropoutRate, newPrefix, newSuffix);
        }
    }

    /**
     * Image augmentation as kohya's {@code --flip_aug}, {@code --color_aug} and {@code --random_crop}.
     * Color augmentation and random crops change the pixels every step, so they cannot be combined
     * with cached latents (kohya refuses that too).
     */
    public record Augmentation(boolean flip, boolean color, boolean randomCrop) {
        public static final Augmentation NONE = new Augmentation(false, false, false);

        /** Whether latents can be computed once and reused (no color augmentation, no random crop). */
        public boolean latentsCacheable() {
            return !color && !randomCrop;
        }
    }
}
