package dev.lathe.stage.train;

import static dev.lathe.stage.train.TrainOptions.*;

import dev.lathe.api.ArtifactRef;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.Options;
import dev.lathe.api.PluginChoice;
import dev.lathe.api.model.LoraScope;
import dev.lathe.lora.LoraDims;
import dev.lathe.lora.LoraDropout;
import dev.lathe.lora.SavePrecision;
import dev.lathe.train.diffusion.LossWeighting;
import dev.lathe.train.diffusion.NoiseOffset;
import dev.lathe.train.diffusion.PyramidNoise;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code train} stage's options, checked and typed. Immutable; {@link #options()} keeps the
 * validated originals for the provenance record.
 */
record TrainSettings(
        Options options,
        ArtifactRef dataset,
        String outputName,
        int width,
        int height,
        LoraDims dims,
        LoraDropout dropout,
        LoraScope scope,
        ArtifactRef networkWeights,
        List<Merge> merges,
        PluginChoice optimizer,
        Double unetLr,
        Double textEncoderLr,
        String lrScheduler,
        long lrWarmupSteps,
        double lrNumCycles,
        double lrPower,
        double maxGradNorm,
        int epochs,
        long maxTrainSteps,
        int batchSize,
        int gradientAccumulation,
        long seed,
        int clipSkip,
        boolean vParameterization,
        NoiseOffset noiseOffset,
        PyramidNoise pyramidNoise,
        LossWeighting lossWeighting,
        int minTimestep,
        int maxTimestep,
        boolean cacheTextEncoderOutputs,
        int saveEveryEpochs,
        long saveEverySteps,
        SavePrecision savePrecision,
        boolean saveState,
        String resume,
        Path samplePrompts,
        int sampleEveryEpochs,
        long sampleEverySteps,
        String sampleSampler,
        Path tokenizer) {

    /** A LoRA applied, frozen, to the base model. */
    record Merge(ArtifactRef lora, double weight) {
    }

    static TrainSettings from(Options o, String stageName, long stageSeed) {
        int[] resolution = resolution(o.getString(RESOLUTION));
        boolean unetOnly = o.getBoolean(NETWORK_TRAIN_UNET_ONLY);
        boolean teOnly = o.getBoolean(NETWORK_TRAIN_TEXT_ENCODER_ONLY);
        if (unetOnly && teOnly) {
            throw new InvalidInputException("\"" + NETWORK_TRAIN_UNET_ONLY + "\" and \"" + NETWORK_TRAIN_TEXT_ENCODER_ONLY
                    + "\" are both set, which would train nothing: set at most one.");
        }
        int convDim = o.getInt(CONV_DIM);
        Double lr = o.findDouble(LEARNING_RATE).orElse(null);
        int minT = o.getInt(MIN_TIMESTEP);
        int maxT = o.getInt(MAX_TIMESTEP);
        if (minT >= maxT) {
            throw new InvalidInputException("\"" + MIN_TIMESTEP + "\" (" + minT + ") must be below \"" + MAX_TIMESTEP
                    + "\" (" + maxT + ").");
        }
        boolean cacheTe = o.getBoolean(CACHE_TEXT_ENCODER_OUTPUTS);
        if (cacheTe && !unetOnly) {
            throw new InvalidInputException("\"" + CACHE_TEXT_ENCODER_OUTPUTS + "\" needs \"" + NETWORK_TRAIN_UNET_ONLY
                    + "\": the text encoder's outputs change while its LoRA trains.");
        }
        List<Merge> merges = new ArrayList<>();
        if (o.has(MERGE)) {
            for (Options m : o.<Options>getList(MERGE)) {
                merges.add(new Merge(m.getArtifact("lora"), m.getDouble("weight")));
            }
        }
        String name = o.has(OUTPUT_NAME) ? o.getString(OUTPUT_NAME) : stageName;
        if (name.isBlank() || name.contains("/") || name.contains("\\")) {
            throw new InvalidInputException("\"" + OUTPUT_NAME + "\" must be a plain file name without folders, got \""
                    + name + "\".");
        }
        return new TrainSettings(o, o.getArtifact(DATASET), name, resolution[0], resolution[1],
                new LoraDims(o.getInt(NETWORK_DIM), (float) o.getDouble(NETWORK_ALPHA), convDim,
                        (float) o.getDouble(CONV_ALPHA)),
                new LoraDropout(o.getDouble(NETWORK_DROPOUT), o.getDouble(RANK_DROPOUT), o.getDouble(MODULE_DROPOUT)),
                new LoraScope(!teOnly, !unetOnly, convDim > 0),
                o.has(NETWORK_WEIGHTS) ? o.getArtifact(NETWORK_WEIGHTS) : null, List.copyOf(merges),
                o.getPlugin(OPTIMIZER),
                o.findDouble(UNET_LR).orElse(lr), o.findDouble(TEXT_ENCODER_LR).orElse(lr),
                o.getString(LR_SCHEDULER), o.getLong(LR_WARMUP_STEPS), o.getDouble(LR_SCHEDULER_NUM_CYCLES),
                o.getDouble(LR_SCHEDULER_POWER), o.getDouble(MAX_GRAD_NORM),
                o.getInt(MAX_TRAIN_EPOCHS), o.getLong(MAX_TRAIN_STEPS), o.getInt(TRAIN_BATCH_SIZE),
                o.getInt(GRADIENT_ACCUMULATION_STEPS), o.has(SEED) ? o.getLong(SEED) : stageSeed,
                o.getInt(CLIP_SKIP), o.getBoolean(V_PARAMETERIZATION),
                new NoiseOffset(o.getDouble(NOISE_OFFSET), o.getDouble(ADAPTIVE_NOISE_SCALE), false),
                new PyramidNoise(o.getInt(MULTIRES_NOISE_ITERATIONS), o.getDouble(MULTIRES_NOISE_DISCOUNT)),
                LossWeighting.minSnr(o.getDouble(MIN_SNR_GAMMA)), minT, maxT, cacheTe,
                o.getInt(SAVE_EVERY_N_EPOCHS), o.getLong(SAVE_EVERY_N_STEPS), savePrecision(o.getString(SAVE_PRECISION)),
                o.getBoolean(SAVE_STATE), o.has(RESUME) ? o.getString(RESUME) : null,
                o.has(SAMPLE_PROMPTS) ? o.getPath(SAMPLE_PROMPTS) : null, o.getInt(SAMPLE_EVERY_N_EPOCHS),
                o.getLong(SAMPLE_EVERY_N_STEPS), o.getString(SAMPLE_SAMPLER),
                o.has(TOKENIZER) ? o.getPath(TOKENIZER) : null);
    }

    /** {@code "512"} or {@code "768,512"} (width, height), as kohya's {@code --resolution}. */
    static int[] resolution(String text) {
        String[] parts = text.trim().split("\\s*,\\s*");
        try {
            int w = Integer.parseInt(parts[0]);
            int h = parts.length > 1 ? Integer.parseInt(parts[1]) : w;
            if (parts.length <= 2 && w >= 64 && h >= 64 && w % 8 == 0 && h % 8 == 0) {
                return new int[] {w, h};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException("\"" + RESOLUTION + "\" must be \"W\" or \"W,H\" in pixels, multiples of 8 and at "
                + "least 64 (e.g. \"512\" or \"768,512\"), got \"" + text + "\".");
    }

    private static SavePrecision savePrecision(String name) {
        return switch (name) {
            case "fp16" -> SavePrecision.FP16;
            case "bf16" -> SavePrecision.BF16;
            default -> SavePrecision.FP32;
        };
    }

    /** Whether the text encoder's LoRA trains. */
    boolean trainsTextEncoder() {
        return scope.textEncoder();
    }
}
