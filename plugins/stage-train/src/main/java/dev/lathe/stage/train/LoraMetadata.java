package dev.lathe.stage.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.model.DiffusionModel;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The safetensors header metadata of the LoRA files a run writes, as kohya-ss's
 * {@code train_network.py} writes it: {@code ss_*} training metadata with values formatted as
 * Python's {@code str()} formats them ({@code True}, {@code None}, {@code (512, 512)}), the
 * {@code modelspec.*} keys of Stability AI's model spec, and Lathe's own provenance record (the
 * resolved stage options, the base checkpoint and its hash) under {@value #PROVENANCE}. Loaders
 * and tools that read kohya metadata (A1111's LoRA info, civitai) see the same fields.
 */
final class LoraMetadata {

    static final String PROVENANCE = "lathe_provenance";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> fixed = new LinkedHashMap<>();

    /** What a run knows before training starts. */
    record RunFacts(TrainSettings settings, DiffusionModel model, String checkpointSha256, String checkpointName,
            long trainImages, int batchesPerEpoch, long totalSteps, String datasetDirs, String tagFrequency,
            String bucketInfo, String optimizerDescription, double startedAt, long sessionId, String latheVersion,
            String resolvedOptions) {
    }

    LoraMetadata(RunFacts f) {
        TrainSettings s = f.settings();
        put("ss_session_id", Long.toString(f.sessionId()));
        put("ss_training_started_at", python(f.startedAt()));
        put("ss_output_name", s.outputName());
        put("ss_learning_rate", python(s.options().findDouble(TrainOptions.LEARNING_RATE).orElse(null)));
        put("ss_text_encoder_lr", python(s.textEncoderLr()));
        put("ss_unet_lr", python(s.unetLr()));
        put("ss_num_train_images", Long.toString(f.trainImages()));
        put("ss_num_reg_images", "0");
        put("ss_num_batches_per_epoch", Integer.toString(f.batchesPerEpoch()));
        put("ss_num_epochs", Integer.toString(s.epochs()));
        put("ss_gradient_checkpointing", "False");
        put("ss_gradient_accumulation_steps", Integer.toString(s.gradientAccumulation()));
        put("ss_max_train_steps", Long.toString(f.totalSteps()));
        put("ss_lr_warmup_steps", Long.toString(s.lrWarmupSteps()));
        put("ss_lr_scheduler", s.lrScheduler());
        put("ss_network_module", "networks.lora");
        put("ss_network_dim", Integer.toString(s.dims().rank()));
        put("ss_network_alpha", python(s.dims().alpha()));
        put("ss_network_dropout", s.dropout().network() > 0 ? python(s.dropout().network()) : "None");
        put("ss_network_args", networkArgs(s));
        put("ss_mixed_precision", "no");
        put("ss_full_fp16", "False");
        put("ss_v2", python(f.model().baseModelVersion().equals("sd_v2")));
        put("ss_base_model_version", f.model().baseModelVersion());
        put("ss_clip_skip", python(s.clipSkip()));
        put("ss_max_token_length", "None");
        put("ss_cache_latents", python(!"none".equals(s.options().getString(TrainOptions.CACHE_LATENTS))));
        put("ss_seed", Long.toString(s.seed()));
        put("ss_lowram", "False");
        put("ss_noise_offset", s.noiseOffset().offset() > 0 ? python(s.noiseOffset().offset()) : "None");
        put("ss_multires_noise_iterations", s.pyramidNoise().iterations() > 0
                ? Integer.toString(s.pyramidNoise().iterations()) : "None");
        put("ss_multires_noise_discount", python(s.pyramidNoise().discount()));
        put("ss_adaptive_noise_scale", s.noiseOffset().adaptiveScale() != 0 ? python(s.noiseOffset().adaptiveScale()) : "None");
        put("ss_zero_terminal_snr", "False");
        put("ss_training_comment", "None");
        put("ss_optimizer", f.optimizerDescription());
        put("ss_max_grad_norm", python(s.maxGradNorm()));
        put("ss_caption_dropout_rate", python(s.options().getDouble(TrainOptions.CAPTION_DROPOUT_RATE)));
        put("ss_caption_dropout_every_n_epochs", Integer.toString(s.options().getInt(TrainOptions.CAPTION_DROPOUT_EVERY_N_EPOCHS)));
        put("ss_caption_tag_dropout_rate", python(s.options().getDouble(TrainOptions.CAPTION_TAG_DROPOUT_RATE)));
        put("ss_face_crop_aug_range", "None");
        put("ss_prior_loss_weight", "1.0");
        put("ss_min_snr_gamma", s.lossWeighting().minSnrGamma() > 0 ? python(s.lossWeighting().minSnrGamma()) : "None");
        put("ss_scale_weight_norms", "None");
        put("ss_ip_noise_gamma", "None");
        put("ss_debiased_estimation", "False");
        put("ss_batch_size_per_device", Integer.toString(s.batchSize()));
        put("ss_total_batch_size", Integer.toString(s.batchSize() * s.gradientAccumulation()));
        put("ss_resolution", "(" + s.width() + ", " + s.height() + ")");
        put("ss_color_aug", python(s.options().getBoolean(TrainOptions.COLOR_AUG)));
        put("ss_flip_aug", python(s.options().getBoolean(TrainOptions.FLIP_AUG)));
        put("ss_random_crop", python(s.options().getBoolean(TrainOptions.RANDOM_CROP)));
        put("ss_shuffle_caption", python(s.options().getBoolean(TrainOptions.SHUFFLE_CAPTION)));
        put("ss_enable_bucket", python(s.options().getBoolean(TrainOptions.ENABLE_BUCKET)));
        put("ss_bucket_no_upscale", python(s.options().getBoolean(TrainOptions.BUCKET_NO_UPSCALE)));
        put("ss_min_bucket_reso", Integer.toString(s.options().getInt(TrainOptions.MIN_BUCKET_RESO)));
        put("ss_max_bucket_reso", Integer.toString(s.options().getInt(TrainOptions.MAX_BUCKET_RESO)));
        put("ss_keep_tokens", Integer.toString(s.options().getInt(TrainOptions.KEEP_TOKENS)));
        put("ss_dataset_dirs", f.datasetDirs());
        put("ss_reg_dataset_dirs", "{}");
        put("ss_tag_frequency", f.tagFrequency());
        put("ss_bucket_info", f.bucketInfo());
        put("ss_sd_model_name", f.checkpointName());
        put("ss_vae_name", "None");
        put("ss_new_sd_model_hash", f.checkpointSha256());
        put("ss_training_finished_at", "None");
        put("ss_steps", "0");
        put("ss_epoch", "0");

        put("modelspec.sai_model_spec", "1.0.0");
        put("modelspec.architecture", architecture(f.model(), s) + "/lora");
        put("modelspec.implementation", f.model().baseModelVersion().startsWith("sdxl")
                ? "https://github.com/Stability-AI/generative-models" : "diffusers");
        put("modelspec.title", s.outputName());
        put("modelspec.resolution", s.width() + "x" + s.height());
        if (f.model().vPrediction() || s.vParameterization()) {
            put("modelspec.prediction_type", "v");
        }
        if (s.clipSkip() > 1) {
            put("modelspec.encoder_layer", Integer.toString(s.clipSkip()));
        }
        put("modelspec.date", DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                Instant.ofEpochMilli((long) (f.startedAt() * 1000)).atOffset(ZoneOffset.UTC).withNano(0)));

        try {
            var provenance = JSON.createObjectNode();
            provenance.put("lathe_version", f.latheVersion());
            provenance.put("stage", "train");
            provenance.put("checkpoint", f.model().source().toAbsolutePath().toString());
            provenance.put("checkpoint_sha256", f.checkpointSha256());
            provenance.put("family", f.model().family());
            provenance.set("options", JSON.readTree(f.resolvedOptions()));
            put(PROVENANCE, JSON.writeValueAsString(provenance));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("provenance is not serializable", e);
        }
    }

    /** The metadata of a file saved after {@code epoch} epochs and {@code step} steps. */
    Map<String, String> forSave(int epoch, long step, Double finishedAt) {
        Map<String, String> m = new LinkedHashMap<>(fixed);
        m.put("ss_training_finished_at", finishedAt == null ? "None" : python(finishedAt));
        m.put("ss_steps", Long.toString(step));
        m.put("ss_epoch", Integer.toString(epoch));
        return m;
    }

    private void put(String key, String value) {
        fixed.put(key, value);
    }

    /** kohya's {@code --network_args} as the JSON object it records (values as strings). */
    private static String networkArgs(TrainSettings s) {
        Map<String, String> args = new LinkedHashMap<>();
        if (s.dims().locon()) {
            args.put("conv_dim", Integer.toString(s.dims().convRank()));
            args.put("conv_alpha", python(s.dims().convAlpha()));
        }
        if (s.dropout().rank() > 0) {
            args.put("rank_dropout", python(s.dropout().rank()));
        }
        if (s.dropout().module() > 0) {
            args.put("module_dropout", python(s.dropout().module()));
        }
        if (args.isEmpty()) {
            return "{}";
        }
        try {
            return JSON.writeValueAsString(args);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String architecture(DiffusionModel model, TrainSettings s) {
        return switch (model.baseModelVersion()) {
            case "sd_v2" -> model.vPrediction() || s.vParameterization() ? "stable-diffusion-v2-768-v" : "stable-diffusion-v2-512";
            case "sd_v1" -> "stable-diffusion-v1";
            default -> model.baseModelVersion().startsWith("sdxl") ? "stable-diffusion-xl-v1-base" : model.baseModelVersion();
        };
    }

    /** Python's {@code str()} of a float: shortest round-trip digits, {@code 1.0} not {@code 1}, {@code 1e-05}. */
    static String python(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e16) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        String repr = Double.toString(value);
        if (Math.abs(value) < 1e-4 || Math.abs(value) >= 1e16) {
            // Java: 1.0E-5, Python: 1e-05
            String[] parts = repr.split("E");
            String mantissa = parts[0].endsWith(".0") ? parts[0].substring(0, parts[0].length() - 2) : parts[0];
            int exponent = Integer.parseInt(parts[1]);
            return mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
        }
        return repr;
    }

    static String python(Double value) {
        return value == null ? "None" : python(value.doubleValue());
    }

    static String python(float value) {
        return python(Double.parseDouble(Float.toString(value)));
    }

    static String python(int value) {
        return Integer.toString(value);
    }

    static String python(boolean value) {
        return value ? "True" : "False";
    }
}
