package dev.lathe.stage.train;

import static dev.lathe.stage.train.TrainOptions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lathe.api.Options;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.SizeConditioning;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.dataset.BatchLoader;
import dev.lathe.dataset.BatchPlan;
import dev.lathe.dataset.DatasetOptions;
import dev.lathe.dataset.KohyaDataset;
import dev.lathe.dataset.LatentCache;
import dev.lathe.dataset.LatentEncoder;
import dev.lathe.sampling.SeededNoise;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the dataset of a train stage as {@link TrainingData}. */
@FunctionalInterface
interface DatasetBridge {

    TrainingData open(TrainSettings settings, DiffusionModel model, StageContext context, Path stageDir) throws Exception;

    /** Where a disk latent cache lives: a hidden folder in the dataset folder, which scanning skips. */
    String DISK_CACHE = ".lathe-latents";

    /**
     * A kohya dataset folder ({@link KohyaDataset}): scanned and bucketed, its warnings and bucket
     * report logged, latents cached with the model's VAE unless {@code cacheLatents} is
     * {@code none}.
     */
    static TrainingData kohyaFolders(TrainSettings settings, DiffusionModel model, StageContext context, Path stageDir)
            throws IOException {
        Logger log = LoggerFactory.getLogger(DatasetBridge.class);
        Options o = settings.options();
        Path directory = context.resolve(settings.dataset());
        DatasetOptions options = new DatasetOptions(directory, o.getString(CAPTION_EXTENSION), settings.width(),
                settings.height(),
                o.getBoolean(ENABLE_BUCKET) ? new DatasetOptions.BucketOptions(true, o.getInt(MIN_BUCKET_RESO),
                        o.getInt(MAX_BUCKET_RESO), o.getInt(BUCKET_RESO_STEPS), o.getBoolean(BUCKET_NO_UPSCALE))
                        : DatasetOptions.BucketOptions.disabled(),
                new DatasetOptions.CaptionOptions(o.getBoolean(SHUFFLE_CAPTION), ",", o.getInt(KEEP_TOKENS),
                        o.getString(KEEP_TOKENS_SEPARATOR), o.getDouble(CAPTION_DROPOUT_RATE),
                        o.getInt(CAPTION_DROPOUT_EVERY_N_EPOCHS), o.getDouble(CAPTION_TAG_DROPOUT_RATE), "", ""),
                new DatasetOptions.Augmentation(o.getBoolean(FLIP_AUG), o.getBoolean(COLOR_AUG), o.getBoolean(RANDOM_CROP)),
                settings.batchSize(), settings.seed());
        KohyaDataset dataset = KohyaDataset.open(options);
        dataset.warnings().forEach(w -> log.warn("{}", w));
        dataset.bucketReport().forEach(line -> log.info("{}", line));
        log.info("Dataset {}: {} images, {} with repeats, {} batches per epoch", directory, dataset.images().size(),
                dataset.numTrainImages(), dataset.stepsPerEpoch());

        LatentCache cache = null;
        String mode = o.getString(CACHE_LATENTS);
        if (!"none".equals(mode)) {
            Path folder = "disk".equals(mode) ? Files.createDirectories(directory.resolve(DISK_CACHE)) : null;
            try (Progress progress = context.progress("cache latents", dataset.images().size())) {
                cache = LatentCache.build(dataset, encoder(model), vaeIdentity(model), folder, model.manager(), progress);
            }
            log.info("Latents: {} computed, {} reused{}", cache.computedCount(), cache.reusedCount(),
                    folder == null ? "" : " from " + folder);
        }
        return new KohyaData(dataset, new BatchLoader(dataset, cache), model, settings.seed());
    }

    /** The model's VAE as the dataset's encoder: a posterior sample with the given per-image noise seeds. */
    private static LatentEncoder encoder(DiffusionModel model) {
        return (pixels, seeds) -> {
            Shape s = pixels.getShape();
            int down = model.vaeDownscale();
            NDArray noise = new SeededNoise(seeds).draw(pixels.getManager(), new Shape(s.get(0), 4, s.get(2) / down,
                    s.get(3) / down));
            return model.encodeImages(pixels, noise);
        };
    }

    /** What identifies the VAE for the disk cache: the checkpoint file and its size and time. */
    private static String vaeIdentity(DiffusionModel model) throws IOException {
        Path source = model.source().toAbsolutePath();
        String stamp = Files.isRegularFile(source)
                ? Files.size(source) + "@" + Files.getLastModifiedTime(source).toMillis() : "folder";
        return model.family() + ":" + source + ":" + stamp + ":float32";
    }

    /** A scanned dataset and its batch loader as the trainer's data. */
    record KohyaData(KohyaDataset dataset, BatchLoader loader, DiffusionModel model, long seed) implements TrainingData {

        @Override
        public int batchesPerEpoch() {
            return dataset.stepsPerEpoch();
        }

        @Override
        public List<? extends Batch> epoch(int epoch) {
            return dataset.epoch(epoch).batches().stream().map(plan -> new PlannedBatch(this, plan)).toList();
        }

        @Override
        public DatasetFacts facts() {
            return new DatasetFacts(dataset.numTrainImages(), dataset.ssDatasetDirs(), dataset.ssTagFrequency(),
                    dataset.ssBucketInfo());
        }
    }

    /** One planned batch, loaded when the trainer asks for its latents. */
    final class PlannedBatch implements TrainingData.Batch {
        private final KohyaData data;
        private final BatchPlan plan;
        private dev.lathe.dataset.Batch loaded;

        PlannedBatch(KohyaData data, BatchPlan plan) {
            this.data = data;
            this.plan = plan;
        }

        private dev.lathe.dataset.Batch loaded(NDManager manager) {
            if (loaded == null) {
                loaded = data.loader().load(plan, manager);
            }
            return loaded;
        }

        @Override
        public NDArray latents(NDManager manager) {
            dev.lathe.dataset.Batch batch = loaded(manager);
            if (batch.latents() != null) {
                return batch.latents();
            }
            // Not cached: a fresh posterior sample per step, as kohya's uncached path draws.
            long[] seeds = new long[batch.size()];
            for (int i = 0; i < seeds.length; i++) {
                seeds[i] = Trainer.mix(data.seed() + batch.images().get(i).index(), (long) plan.epoch() << 32 | plan.step());
            }
            return encoder(data.model()).encode(batch.pixels(), seeds);
        }

        @Override
        public List<String> captions() {
            return requireLoaded().captions();
        }

        @Override
        public float[] lossWeights() {
            return requireLoaded().lossWeights();
        }

        @Override
        public List<SizeConditioning> sizes() {
            return requireLoaded().sizes();
        }

        private dev.lathe.dataset.Batch requireLoaded() {
            if (loaded == null) {
                throw new IllegalStateException("latents() loads the batch first");
            }
            return loaded;
        }
    }
}
