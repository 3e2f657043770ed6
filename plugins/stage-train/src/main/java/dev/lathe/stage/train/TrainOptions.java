package dev.lathe.stage.train;

import dev.lathe.api.OptionSpec;
import dev.lathe.api.optim.OptimizerFactory;
import dev.lathe.train.schedule.LrSchedules;
import java.util.List;

/**
 * Every option of the {@code train} stage, named as kohya-ss's {@code train_network.py} arguments
 * are (camelCase here, {@code --kebab-case} on {@code lathe train}), with kohya's defaults unless
 * a comment says why not. {@code docs/config.md} documents them from these specs.
 */
final class TrainOptions {

    private TrainOptions() {
    }

    // Data
    static final String DATASET = "dataset";
    static final String CAPTION_EXTENSION = "captionExtension";
    static final String RESOLUTION = "resolution";
    static final String ENABLE_BUCKET = "enableBucket";
    static final String MIN_BUCKET_RESO = "minBucketReso";
    static final String MAX_BUCKET_RESO = "maxBucketReso";
    static final String BUCKET_RESO_STEPS = "bucketResoSteps";
    static final String BUCKET_NO_UPSCALE = "bucketNoUpscale";
    static final String SHUFFLE_CAPTION = "shuffleCaption";
    static final String KEEP_TOKENS = "keepTokens";
    static final String KEEP_TOKENS_SEPARATOR = "keepTokensSeparator";
    static final String CAPTION_DROPOUT_RATE = "captionDropoutRate";
    static final String CAPTION_DROPOUT_EVERY_N_EPOCHS = "captionDropoutEveryNEpochs";
    static final String CAPTION_TAG_DROPOUT_RATE = "captionTagDropoutRate";
    static final String FLIP_AUG = "flipAug";
    static final String COLOR_AUG = "colorAug";
    static final String RANDOM_CROP = "randomCrop";
    static final String CACHE_LATENTS = "cacheLatents";
    // Network
    static final String OUTPUT_NAME = "outputName";
    static final String NETWORK_DIM = "networkDim";
    static final String NETWORK_ALPHA = "networkAlpha";
    static final String CONV_DIM = "convDim";
    static final String CONV_ALPHA = "convAlpha";
    static final String NETWORK_DROPOUT = "networkDropout";
    static final String RANK_DROPOUT = "rankDropout";
    static final String MODULE_DROPOUT = "moduleDropout";
    static final String NETWORK_TRAIN_UNET_ONLY = "networkTrainUnetOnly";
    static final String NETWORK_TRAIN_TEXT_ENCODER_ONLY = "networkTrainTextEncoderOnly";
    static final String NETWORK_WEIGHTS = "networkWeights";
    static final String MERGE = "merge";
    // Optimization
    static final String OPTIMIZER = "optimizer";
    static final String LEARNING_RATE = "learningRate";
    static final String UNET_LR = "unetLr";
    static final String TEXT_ENCODER_LR = "textEncoderLr";
    static final String LR_SCHEDULER = "lrScheduler";
    static final String LR_WARMUP_STEPS = "lrWarmupSteps";
    static final String LR_SCHEDULER_NUM_CYCLES = "lrSchedulerNumCycles";
    static final String LR_SCHEDULER_POWER = "lrSchedulerPower";
    static final String MAX_GRAD_NORM = "maxGradNorm";
    static final String MAX_TRAIN_EPOCHS = "maxTrainEpochs";
    static final String MAX_TRAIN_STEPS = "maxTrainSteps";
    static final String TRAIN_BATCH_SIZE = "trainBatchSize";
    static final String GRADIENT_ACCUMULATION_STEPS = "gradientAccumulationSteps";
    static final String SEED = "seed";
    // Diffusion
    static final String CLIP_SKIP = "clipSkip";
    static final String V_PARAMETERIZATION = "vParameterization";
    static final String NOISE_OFFSET = "noiseOffset";
    static final String ADAPTIVE_NOISE_SCALE = "adaptiveNoiseScale";
    static final String MULTIRES_NOISE_ITERATIONS = "multiresNoiseIterations";
    static final String MULTIRES_NOISE_DISCOUNT = "multiresNoiseDiscount";
    static final String MIN_SNR_GAMMA = "minSnrGamma";
    static final String MIN_TIMESTEP = "minTimestep";
    static final String MAX_TIMESTEP = "maxTimestep";
    static final String CACHE_TEXT_ENCODER_OUTPUTS = "cacheTextEncoderOutputs";
    // Outputs
    static final String SAVE_EVERY_N_EPOCHS = "saveEveryNEpochs";
    static final String SAVE_EVERY_N_STEPS = "saveEveryNSteps";
    static final String SAVE_PRECISION = "savePrecision";
    static final String SAVE_STATE = "saveState";
    static final String RESUME = "resume";
    static final String SAMPLE_PROMPTS = "samplePrompts";
    static final String SAMPLE_EVERY_N_EPOCHS = "sampleEveryNEpochs";
    static final String SAMPLE_EVERY_N_STEPS = "sampleEveryNSteps";
    static final String SAMPLE_SAMPLER = "sampleSampler";
    static final String TOKENIZER = "tokenizer";

    static final List<OptionSpec> SPECS = List.of(
            OptionSpec.artifact(DATASET, "Dataset folder in kohya layout (subfolders <repeats>_<name> holding images and "
                    + "same-named caption files), or an earlier stage's output in that layout").mandatory(),
            OptionSpec.string(CAPTION_EXTENSION, ".txt", "Extension of the caption files"),
            OptionSpec.string(RESOLUTION, "512", "Training resolution \"W\" or \"W,H\"; with buckets, the maximum area"),
            // kohya defaults to no buckets; every LoRA GUI turns them on, and square crops of portraits lose heads.
            OptionSpec.bool(ENABLE_BUCKET, true, "Aspect-ratio buckets (kohya --enable_bucket)"),
            OptionSpec.integer(MIN_BUCKET_RESO, 256, "Smallest bucket side in pixels").min(64),
            OptionSpec.integer(MAX_BUCKET_RESO, 1024, "Largest bucket side in pixels").min(64),
            OptionSpec.integer(BUCKET_RESO_STEPS, 64, "Bucket sides are multiples of this").min(8),
            OptionSpec.bool(BUCKET_NO_UPSCALE, false, "Never upscale an image to a bucket; small images get their own bucket"),
            OptionSpec.bool(SHUFFLE_CAPTION, false, "Shuffle the comma-separated tags of each caption every step"),
            OptionSpec.integer(KEEP_TOKENS, 0, "Keep the first N tags in place when shuffling or dropping tags").min(0),
            OptionSpec.string(KEEP_TOKENS_SEPARATOR, "", "Tags before this separator stay in place (instead of keepTokens)"),
            OptionSpec.number(CAPTION_DROPOUT_RATE, 0.0, "Probability of training an image with an empty caption").min(0).max(1),
            OptionSpec.integer(CAPTION_DROPOUT_EVERY_N_EPOCHS, 0, "Drop all captions every N-th epoch (0 = never)").min(0),
            OptionSpec.number(CAPTION_TAG_DROPOUT_RATE, 0.0, "Probability of dropping each tag of a caption").min(0).max(1),
            OptionSpec.bool(FLIP_AUG, false, "Randomly mirror images horizontally"),
            OptionSpec.bool(COLOR_AUG, false, "Randomly shift hue (needs cacheLatents \"none\")"),
            OptionSpec.bool(RANDOM_CROP, false, "Crop randomly instead of centered (needs cacheLatents \"none\")"),
            OptionSpec.choice(CACHE_LATENTS, "memory", List.of("memory", "disk", "none"),
                    "Encode every image once with the VAE and keep the latents in memory or on disk (invalidated when the"
                            + " image, its bucket or the VAE change)"),

            OptionSpec.string(OUTPUT_NAME, null, "Base name of the LoRA files (default: the stage name)"),
            OptionSpec.integer(NETWORK_DIM, 4, "LoRA rank of Linear and 1x1-conv modules").min(1),
            OptionSpec.number(NETWORK_ALPHA, 1.0, "LoRA alpha; scale = alpha / rank").min(0),
            OptionSpec.integer(CONV_DIM, 0, "LoCon: rank of the 3x3 convolutions of ResNet blocks and samplers (0 = plain LoRA)")
                    .min(0),
            OptionSpec.number(CONV_ALPHA, 1.0, "LoCon alpha").min(0),
            OptionSpec.number(NETWORK_DROPOUT, 0.0, "Dropout on the LoRA down projection's output").min(0).max(0.99),
            OptionSpec.number(RANK_DROPOUT, 0.0, "Probability of dropping each rank of a module per sample").min(0).max(0.99),
            OptionSpec.number(MODULE_DROPOUT, 0.0, "Probability of skipping a whole module per step").min(0).max(0.99),
            OptionSpec.bool(NETWORK_TRAIN_UNET_ONLY, false, "Train the UNet's LoRA only (text encoder untouched)"),
            OptionSpec.bool(NETWORK_TRAIN_TEXT_ENCODER_ONLY, false, "Train the text encoder's LoRA only"),
            OptionSpec.artifact(NETWORK_WEIGHTS, "A LoRA file to continue training from (same rank and targets)"),
            OptionSpec.list(MERGE, OptionSpec.object("lora", List.of(
                            OptionSpec.artifact("lora", "A LoRA file or an earlier stage's output, e.g. base3d.best").mandatory(),
                            OptionSpec.number("weight", 1.0, "Strength it is applied with")),
                            "A LoRA applied to the base model, frozen"),
                    "LoRAs applied (frozen) to the base model before training: the stepping-stone workflow"),

            OptionSpec.plugin(OPTIMIZER, OptimizerFactory.class, "adamw", "The optimizer plugin and its options"),
            OptionSpec.number(LEARNING_RATE, (Double) null, "Base learning rate (none for an optimizer with its own schedule,"
                    + " e.g. Adafactor in relative-step mode)").min(0),
            OptionSpec.number(UNET_LR, (Double) null, "Learning rate of the UNet's LoRA (default: learningRate)").min(0),
            OptionSpec.number(TEXT_ENCODER_LR, (Double) null, "Learning rate of the text encoder's LoRA (default: learningRate)")
                    .min(0),
            OptionSpec.choice(LR_SCHEDULER, LrSchedules.CONSTANT, LrSchedules.names(), "Learning-rate schedule"),
            OptionSpec.integer(LR_WARMUP_STEPS, 0, "Warm-up steps of the schedule").min(0),
            OptionSpec.number(LR_SCHEDULER_NUM_CYCLES, 1.0, "Cycles of cosine_with_restarts").min(0),
            OptionSpec.number(LR_SCHEDULER_POWER, 1.0, "Power of the polynomial schedule").min(0),
            OptionSpec.number(MAX_GRAD_NORM, 1.0, "Clip the global gradient norm to this (0 = no clipping)").min(0),
            OptionSpec.integer(MAX_TRAIN_EPOCHS, 10, "Epochs to train").min(1),
            OptionSpec.integer(MAX_TRAIN_STEPS, 0, "Stop after this many optimizer steps (0 = no limit)").min(0),
            OptionSpec.integer(TRAIN_BATCH_SIZE, 1, "Images per batch").min(1),
            OptionSpec.integer(GRADIENT_ACCUMULATION_STEPS, 1, "Batches per optimizer step").min(1),
            OptionSpec.integer(SEED, (Long) null, "Seed of everything random in training (default: the stage seed)"),

            OptionSpec.integer(CLIP_SKIP, 1, "Use the text encoder's hidden state this many layers from the end").min(1),
            OptionSpec.bool(V_PARAMETERIZATION, false, "Train a v-prediction model (SD 2.x 768-v); default: as the model says"),
            OptionSpec.number(NOISE_OFFSET, 0.0, "Noise offset (e.g. 0.1) for darker darks and brighter brights").min(0),
            OptionSpec.number(ADAPTIVE_NOISE_SCALE, 0.0, "Add |latent mean| × this to the noise offset"),
            OptionSpec.integer(MULTIRES_NOISE_ITERATIONS, 0, "Pyramid (multi-resolution) noise levels (0 = off; 6–10 typical)")
                    .min(0),
            OptionSpec.number(MULTIRES_NOISE_DISCOUNT, 0.3, "Pyramid noise discount per level").min(0).max(1),
            OptionSpec.number(MIN_SNR_GAMMA, 0.0, "Min-SNR-γ loss weighting (0 = off; 5 recommended)").min(0),
            OptionSpec.integer(MIN_TIMESTEP, 0, "Smallest training timestep").min(0).max(1000),
            OptionSpec.integer(MAX_TIMESTEP, 1000, "Training timesteps are below this").min(1).max(1000),
            OptionSpec.bool(CACHE_TEXT_ENCODER_OUTPUTS, false,
                    "Encode each caption once (only with networkTrainUnetOnly and no caption shuffling or dropout)"),

            OptionSpec.integer(SAVE_EVERY_N_EPOCHS, 1, "Write <name>-<epoch>.safetensors every N epochs (0 = only the last)")
                    .min(0),
            OptionSpec.integer(SAVE_EVERY_N_STEPS, 0, "Also write <name>-step<step>.safetensors every N steps (0 = never)").min(0),
            OptionSpec.choice(SAVE_PRECISION, "fp16", List.of("fp16", "bf16", "float"), "Precision of the saved LoRA tensors"),
            OptionSpec.bool(SAVE_STATE, true, "Save the resumable training state whenever a LoRA is saved"),
            OptionSpec.string(RESUME, null, "Continue from a saved state: a state folder, or \"auto\" for the latest in this "
                    + "stage's folder"),
            OptionSpec.path(SAMPLE_PROMPTS, "Prompts to render during training, one per line in kohya syntax"),
            OptionSpec.integer(SAMPLE_EVERY_N_EPOCHS, 1, "Render the sample prompts every N epochs (0 = never)").min(0),
            OptionSpec.integer(SAMPLE_EVERY_N_STEPS, 0, "Render the sample prompts every N steps (0 = never)").min(0),
            OptionSpec.string(SAMPLE_SAMPLER, "euler_a", "Sampler of samples whose prompt line has no --ss"),
            OptionSpec.path(TOKENIZER, "Tokenizer folder (default: beside the checkpoint, the cache, or downloaded once)"));
}
