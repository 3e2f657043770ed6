package dev.lathe.dataset;

import dev.lathe.api.InvalidInputException;
import dev.lathe.dataset.DatasetOptions.BucketOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A kohya-ss DreamBooth-style dataset folder, scanned and bucketed as sd-scripts does it
 * ({@code DreamBoothDataset} and {@code BaseDataset.make_buckets} in {@code library/train_util.py}):
 * the folders, images and captions, the aspect-ratio buckets, the batches of each epoch, and the
 * numbers and JSON kohya writes into a LoRA's {@code ss_*} metadata.
 *
 * <p>{@link #open} reports every skipped folder or file as a warning (logged, and kept in
 * {@link #warnings()}) and stops with an {@link InvalidInputException} when the folder is missing,
 * has no {@code <repeats>_<name>} folder with images, or holds an unreadable caption file or an
 * image whose header cannot be read. Images damaged past their header fail when decoded (latent
 * caching or the batch that uses them), with the same kind of message.
 */
public final class KohyaDataset {

    private final DatasetOptions options;
    private final BucketOptions bucketOptions;
    private final List<DatasetFolder> folders;
    private final List<DatasetImage> images;
    private final List<Bucket> buckets;
    private final double meanAspectRatioError;
    private final List<String> warnings;
    private final CaptionProcessor captions;

    private KohyaDataset(DatasetOptions options, BucketOptions bucketOptions, List<DatasetFolder> folders,
            List<DatasetImage> images, List<Bucket> buckets, double meanAspectRatioError, List<String> warnings) {
        this.options = options;
        this.bucketOptions = bucketOptions;
        this.folders = List.copyOf(folders);
        this.images = List.copyOf(images);
        this.buckets = List.copyOf(buckets);
        this.meanAspectRatioError = meanAspectRatioError;
        this.warnings = List.copyOf(warnings);
        this.captions = new CaptionProcessor(options.captions());
    }

    /** Scans {@code options.directory()} and assigns every image to its bucket. */
    public static KohyaDataset open(DatasetOptions options) {
        Warnings warnings = new Warnings();
        BucketOptions bucketOptions = adjustedBuckets(options, warnings);
        DatasetScanner.Scan scan = new DatasetScanner(options, warnings).scan();
        BucketSelector selector = selector(options, bucketOptions, warnings);
        List<DatasetImage> images = new ArrayList<>();
        double[] errors = new double[scan.images().size()];
        TreeMap<Resolution, List<Integer>> byBucket = new TreeMap<>();
        for (DatasetScanner.ScannedImage scanned : scan.images()) {
            int index = images.size();
            BucketAssignment assignment = selector.select(scanned.size().width(), scanned.size().height(),
                    scanned.path());
            errors[index] = Math.abs(assignment.aspectRatioError());
            images.add(new DatasetImage(index, scanned.path(), scanned.folder(), scanned.repeats(), scanned.caption(),
                    scanned.captionFile(), scanned.size(), assignment));
            List<Integer> members = byBucket.computeIfAbsent(assignment.bucket(), r -> new ArrayList<>());
            for (int r = 0; r < scanned.repeats(); r++) {
                members.add(index);
            }
        }
        List<Bucket> buckets = new ArrayList<>();
        byBucket.forEach((resolution, members) -> buckets.add(new Bucket(buckets.size(), resolution, members)));
        double meanError = errors.length == 0 ? 0 : NumpySum.pairwise(errors) / errors.length;
        return new KohyaDataset(options, bucketOptions, scan.folders(), images, buckets, meanError,
                warnings.lines());
    }

    /** kohya's {@code adjust_min_max_bucket_reso_by_steps} and its checks against the resolution. */
    private static BucketOptions adjustedBuckets(DatasetOptions options, Warnings warnings) {
        BucketOptions b = options.buckets();
        if (!b.enabled()) {
            return b;
        }
        int min = b.minResolution();
        int max = b.maxResolution();
        if (min % b.step() != 0) {
            int adjusted = min - min % b.step();
            warnings.add("min_bucket_reso is adjusted to a multiple of the bucket step: " + min + " -> " + adjusted);
            min = adjusted;
        }
        if (max % b.step() != 0) {
            int adjusted = max + b.step() - max % b.step();
            warnings.add("max_bucket_reso is adjusted to a multiple of the bucket step: " + max + " -> " + adjusted);
            max = adjusted;
        }
        int small = Math.min(options.width(), options.height());
        int large = Math.max(options.width(), options.height());
        if (small < min) {
            throw new InvalidInputException("The minimum bucket resolution " + min + " is larger than the training "
                    + "resolution's smaller side " + small + ": lower the minimum bucket resolution or raise the "
                    + "resolution.");
        }
        if (large > max) {
            throw new InvalidInputException("The maximum bucket resolution " + max + " is smaller than the training "
                    + "resolution's larger side " + large + ": raise the maximum bucket resolution (e.g. to "
                    + Math.max(large, 2 * large / b.step() * b.step() / 2) + ") or lower the resolution.");
        }
        if (b.noUpscale() && (min != b.minResolution() || max != b.maxResolution()
                || min != BucketOptions.defaults().minResolution() || max != BucketOptions.defaults().maxResolution())) {
            warnings.add("The minimum and maximum bucket resolutions are ignored with bucket_no_upscale: each bucket"
                    + " follows its image's size.");
        }
        return new BucketOptions(true, min, max, b.step(), b.noUpscale());
    }

    private static BucketSelector selector(DatasetOptions options, BucketOptions buckets, Warnings warnings) {
        if (!buckets.enabled()) {
            return BucketSelector.predefined(List.of(new Resolution(options.width(), options.height())));
        }
        if (buckets.noUpscale()) {
            return BucketSelector.noUpscale((long) options.width() * options.height(), buckets.step());
        }
        return BucketSelector.predefined(BucketResolutions.make(options.width(), options.height(),
                buckets.minResolution(), buckets.maxResolution(), buckets.step()));
    }

    public DatasetOptions options() {
        return options;
    }

    /**
     * The bucket options in effect: the minimum and maximum rounded to the step as kohya rounds
     * them (its {@code ss_enable_bucket}, {@code ss_min_bucket_reso}, {@code ss_max_bucket_reso},
     * {@code ss_bucket_no_upscale}; kohya writes None for min and max with buckets off).
     */
    public BucketOptions bucketOptions() {
        return bucketOptions;
    }

    /** The {@code <repeats>_<name>} folders with images, by name. */
    public List<DatasetFolder> folders() {
        return folders;
    }

    /** Every image, folder by folder (by name), files by path. */
    public List<DatasetImage> images() {
        return images;
    }

    /** The buckets in use, sorted by resolution (width, then height). */
    public List<Bucket> buckets() {
        return buckets;
    }

    /** Everything skipped or adjusted while scanning, one line each (also logged as warnings). */
    public List<String> warnings() {
        return warnings;
    }

    /** kohya's {@code ss_num_train_images}: images × repeats over all folders. */
    public int numTrainImages() {
        int total = 0;
        for (DatasetFolder folder : folders) {
            total += folder.imageCount() * folder.repeats();
        }
        return total;
    }

    /** Batches (optimizer steps without accumulation) per epoch: Σ over buckets ⌈images × repeats / batch⌉. */
    public int stepsPerEpoch() {
        int steps = 0;
        for (Bucket bucket : buckets) {
            steps += bucket.batches(options.batchSize());
        }
        return steps;
    }

    /** The mean |bucket ratio − image ratio| over the images (without repeats), as kohya reports it. */
    public double meanAspectRatioError() {
        return meanAspectRatioError;
    }

    /** The batches of {@code epoch} (counted from 1), in training order. */
    public EpochPlan epoch(int epoch) {
        if (epoch < 1) {
            throw new IllegalArgumentException("Epochs count from 1, not " + epoch);
        }
        Random random = Seeds.epoch(options.seed(), epoch);
        // kohya's shuffle_buckets: the list of (bucket, batch) pairs first, then each bucket's contents.
        List<int[]> order = new ArrayList<>();
        for (Bucket bucket : buckets) {
            for (int batch = 0; batch < bucket.batches(options.batchSize()); batch++) {
                order.add(new int[] {bucket.index(), batch});
            }
        }
        CaptionProcessor.shuffle(order, random);
        List<List<Integer>> contents = new ArrayList<>();
        for (Bucket bucket : buckets) {
            List<Integer> shuffled = new ArrayList<>(bucket.images());
            CaptionProcessor.shuffle(shuffled, random);
            contents.add(shuffled);
        }
        List<BatchPlan> batches = new ArrayList<>();
        for (int[] pair : order) {
            List<Integer> members = contents.get(pair[0]);
            int from = pair[1] * options.batchSize();
            int to = Math.min(members.size(), from + options.batchSize());
            batches.add(new BatchPlan(epoch, batches.size(), pair[0], buckets.get(pair[0]).resolution(),
                    members.subList(from, to)));
        }
        return new EpochPlan(epoch, batches);
    }

    /** The caption the model sees for one sample of a batch: kohya's caption processing with its draws. */
    String processCaption(DatasetImage image, int epoch, Random sampleRandom) {
        return captions.process(image.caption(), epoch, sampleRandom);
    }

    // ------------------------------------------------------------------ reports and metadata

    /**
     * kohya's bucket report, one line each: the number of images per bucket (repeats included)
     * and the mean aspect-ratio error, or a note that bucketing is off.
     */
    public List<String> bucketReport() {
        List<String> lines = new ArrayList<>();
        if (!options.buckets().enabled()) {
            lines.add("bucketing off: every image is resized to cover " + options.width() + "x" + options.height()
                    + " and center-cropped (" + numTrainImages() + " images with repeats)");
            return lines;
        }
        lines.add("number of images (including repeats) per bucket:");
        for (Bucket bucket : buckets) {
            lines.add("bucket " + bucket.index() + ": resolution " + bucket.resolution() + ", count: "
                    + bucket.count());
        }
        lines.add("mean ar error (without repeats): " + PythonJson.floatRepr(meanAspectRatioError));
        return lines;
    }

    /** {@code ss_bucket_info}: {@code {"buckets": {"0": {"resolution": [w, h], "count": n}, ...}, "mean_img_ar_error": x}}, or {@code null} with bucketing off. */
    public String ssBucketInfo() {
        if (!options.buckets().enabled()) {
            return "null";
        }
        Map<String, Object> bucketMap = new LinkedHashMap<>();
        for (Bucket bucket : buckets) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("resolution", List.of(bucket.resolution().width(), bucket.resolution().height()));
            entry.put("count", bucket.count());
            bucketMap.put(Integer.toString(bucket.index()), entry);
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("buckets", bucketMap);
        info.put("mean_img_ar_error", meanAspectRatioError);
        return PythonJson.dumps(info);
    }

    /**
     * kohya's tag frequency per folder: every caption as read (the folder name for images without
     * one) split at commas, tags stripped and lower-cased, counted once per image (not per repeat).
     */
    public Map<String, Map<String, Integer>> tagFrequency() {
        Map<String, Map<String, Integer>> frequency = new LinkedHashMap<>();
        for (DatasetFolder folder : folders) {
            frequency.put(folder.name(), new LinkedHashMap<>());
        }
        for (DatasetImage image : images) {
            Map<String, Integer> forFolder = frequency.get(image.folder());
            for (String tag : PythonText.split(image.caption(), ",")) {
                tag = PythonText.strip(tag);
                if (!tag.isEmpty()) {
                    forFolder.merge(tag.toLowerCase(Locale.ROOT), 1, Integer::sum);
                }
            }
        }
        return frequency;
    }

    /** {@code ss_tag_frequency}: {@code {"10_alice": {"1girl": 40, ...}}}. */
    public String ssTagFrequency() {
        return PythonJson.dumps(tagFrequency());
    }

    /** {@code ss_dataset_dirs}: {@code {"10_alice": {"n_repeats": 10, "img_count": 42}}}. */
    public String ssDatasetDirs() {
        Map<String, Object> dirs = new LinkedHashMap<>();
        for (DatasetFolder folder : folders) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("n_repeats", folder.repeats());
            entry.put("img_count", folder.imageCount());
            dirs.put(folder.name(), entry);
        }
        return PythonJson.dumps(dirs);
    }

    /** {@code ss_resolution} as kohya writes it: the (width, height) tuple, {@code (512, 512)}. */
    public String ssResolution() {
        return new Resolution(options.width(), options.height()).toString();
    }
}
