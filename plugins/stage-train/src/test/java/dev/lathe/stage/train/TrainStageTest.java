package dev.lathe.stage.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.Options;
import dev.lathe.api.PluginChoice;
import dev.lathe.api.model.SizeConditioning;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.config.PluginOptions;
import dev.lathe.lora.LoraFile;
import dev.lathe.lora.LoraFileContents;
import dev.lathe.lora.LoraWeights;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The train stage end to end on the tiny SD 1.5 fixture, with in-memory latents instead of a dataset folder. */
class TrainStageTest {

    @TempDir
    Path temp;

    @Test
    void aTrainedLoraHasKohyasModuleSetShapesAlphasAndMetadata() throws Exception {
        Path tiny = tinyCheckpoint();
        StageResult result = train(tiny, temp.resolve("run"), Map.of("maxTrainEpochs", 2L), 3, -1);
        Path last = result.outputs().get("last");
        assertEquals("style.safetensors", last.getFileName().toString());
        assertTrue(Files.isRegularFile(temp.resolve("run/style-000001.safetensors")), "epoch 1 file");

        Map<String, long[]> expected = kohyaTargetsFromCheckpointKeys(tiny);
        LoraFileContents lora = LoraFile.read(last);
        assertEquals(new TreeMap<>(expected).keySet(), new TreeMap<>(lora.modules()).keySet());
        try (SafeTensorsFile file = SafeTensorsFile.open(last)) {
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                long[] weight = e.getValue();
                LoraWeights w = lora.modules().get(e.getKey());
                long[] down = weight.length == 4 ? new long[] {4, weight[1], 1, 1} : new long[] {4, weight[1]};
                long[] up = weight.length == 4 ? new long[] {weight[0], 4, 1, 1} : new long[] {weight[0], 4};
                assertArrayEquals(down, w.down().shape(), e.getKey());
                assertArrayEquals(up, w.up().shape(), e.getKey());
                TensorInfo alpha = file.info(e.getKey() + ".alpha");
                assertEquals(0, alpha.shape().length, "0-dim alpha");
                assertEquals(2f, file.tensor(alpha.name()).toFloatArray()[0]);
                assertEquals("F16", file.info(e.getKey() + ".lora_down.weight").dtype().toString());
            }
            Map<String, String> meta = file.metadata();
            for (String key : List.of("ss_network_module", "ss_network_dim", "ss_network_alpha", "ss_network_args",
                    "ss_base_model_version", "ss_v2", "ss_output_name", "ss_learning_rate", "ss_unet_lr",
                    "ss_text_encoder_lr", "ss_optimizer", "ss_num_train_images", "ss_num_epochs", "ss_epoch", "ss_steps",
                    "ss_resolution", "ss_clip_skip", "ss_seed", "ss_noise_offset", "ss_min_snr_gamma", "ss_dataset_dirs",
                    "ss_tag_frequency", "ss_bucket_info", "ss_sd_model_name", "ss_new_sd_model_hash",
                    "ss_training_started_at", "ss_training_finished_at", "modelspec.architecture",
                    LoraMetadata.PROVENANCE)) {
                assertTrue(meta.containsKey(key), "metadata has " + key);
            }
            assertEquals("networks.lora", meta.get("ss_network_module"));
            assertEquals("4", meta.get("ss_network_dim"));
            assertEquals("2.0", meta.get("ss_network_alpha"));
            assertEquals("sd_v1", meta.get("ss_base_model_version"));
            assertEquals("False", meta.get("ss_v2"));
            assertEquals("0.001", meta.get("ss_learning_rate"));
            assertEquals("2", meta.get("ss_epoch"));
            assertEquals("6", meta.get("ss_steps"));
            assertEquals("(64, 64)", meta.get("ss_resolution"));
            assertEquals("stable-diffusion-v1/lora", meta.get("modelspec.architecture"));
            assertEquals(CheckpointHash.sha256(tiny), meta.get("ss_new_sd_model_hash"));
            assertEquals(SafeTensorsWriter.fileDataSha256(last), meta.get("sshs_model_hash"));
            assertTrue(meta.get(LoraMetadata.PROVENANCE).contains("\"networkDim\":4"), meta.get(LoraMetadata.PROVENANCE));
        }
        // Training moved the up projections away from zero.
        float[] up = lora.modules().values().iterator().next().up().toFloatArray();
        assertTrue(maxAbs(up) > 0, "the LoRA trained");
    }

    @Test
    void anSdxlCheckpointTrainsThroughTheSameStageWithKohyaSdxlNames() throws Exception {
        Path sdxl = tinyCheckpoint().getParent().resolveSibling("sdxl").resolve("tiny.safetensors");
        Path tokenizer = tinyCheckpoint().getParent(); // the shared CLIP vocabulary; SDXL pads encoder 2 with "!"
        Path stageDir = temp.resolve("xl");
        Files.createDirectories(stageDir);
        Map<String, Object> values = new HashMap<>(Map.of("dataset", dev.lathe.api.ArtifactRef.file(temp), "outputName", "xl",
                "resolution", "64", "learningRate", 1e-3, "maxTrainEpochs", 1L, "tokenizer", tokenizer,
                "optimizer", new PluginChoice("adamw", Options.empty())));
        Options options = PluginOptions.complete(new TrainStage(), Options.of(values));
        FakeStageContext context = new FakeStageContext("xl", options, sdxl, temp, stageDir, "sdxl");
        Path last = new TrainStage((settings, model, ctx, dir) -> new RandomLatents(2, -1)).run(context).outputs().get("last");
        LoraFileContents lora = LoraFile.read(last);
        for (String prefix : List.of("lora_te1_text_model_encoder_layers_", "lora_te2_text_model_encoder_layers_",
                "lora_unet_input_blocks_")) {
            assertTrue(lora.modules().keySet().stream().anyMatch(n -> n.startsWith(prefix)), prefix);
        }
        assertEquals("sdxl_base_v1-0", lora.metadata().get("ss_base_model_version"));
        assertEquals("stable-diffusion-xl-v1-base/lora", lora.metadata().get("modelspec.architecture"));
    }

    @Test
    void theSameSeedGivesTheSameTensorsTwice() throws Exception {
        Path tiny = tinyCheckpoint();
        Path a = train(tiny, temp.resolve("a"), Map.of("maxTrainEpochs", 1L, "networkDropout", 0.1, "rankDropout", 0.2, "moduleDropout", 0.1),
                3, -1).outputs().get("last");
        Path b = train(tiny, temp.resolve("b"), Map.of("maxTrainEpochs", 1L, "networkDropout", 0.1, "rankDropout", 0.2, "moduleDropout", 0.1),
                3, -1).outputs().get("last");
        assertEquals(SafeTensorsWriter.fileDataSha256(a), SafeTensorsWriter.fileDataSha256(b));
    }

    @Test
    void cachedTextEncoderOutputsTrainTheSameUnetLora() throws Exception {
        Path tiny = tinyCheckpoint();
        Path plain = train(tiny, temp.resolve("plain"), Map.of("maxTrainEpochs", 1L, "networkTrainUnetOnly", true), 3, -1)
                .outputs().get("last");
        Path cached = train(tiny, temp.resolve("cached"), Map.of("maxTrainEpochs", 1L, "networkTrainUnetOnly", true,
                "cacheTextEncoderOutputs", true), 3, -1).outputs().get("last");
        assertTrue(LoraFile.read(plain).modules().keySet().stream().allMatch(n -> n.startsWith("lora_unet_")));
        assertEquals(SafeTensorsWriter.fileDataSha256(plain), SafeTensorsWriter.fileDataSha256(cached));
    }

    @Test
    void samplesRenderEveryEpochWithKohyaNamesAndLeaveTrainingUnchanged() throws Exception {
        Path tiny = tinyCheckpoint();
        Path prompts = temp.resolve("prompts.txt");
        Files.writeString(prompts, "# kohya sample prompts\na photo of sks dog --n blurry --w 64 --h 64 --s 3 --l 5 --d 5\n");
        Path plain = train(tiny, temp.resolve("plain"), Map.of("maxTrainEpochs", 2L, "rankDropout", 0.3), 2, -1)
                .outputs().get("last");
        StageResult sampled = train(tiny, temp.resolve("sampled"), Map.of("maxTrainEpochs", 2L, "rankDropout", 0.3,
                "samplePrompts", prompts), 2, -1);
        assertEquals(SafeTensorsWriter.fileDataSha256(plain), SafeTensorsWriter.fileDataSha256(sampled.outputs().get("last")));
        List<String> names;
        try (var files = Files.list(sampled.outputs().get("samples"))) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(2, names.size(), names.toString());
        assertTrue(names.get(0).matches("style_e000001_00_\\d{14}_5\\.png"), names.get(0));
        assertTrue(names.get(1).matches("style_e000002_00_\\d{14}_5\\.png"), names.get(1));
    }

    @Test
    void aRunResumedFromItsLastStateEndsWithTheUninterruptedRunsLora() throws Exception {
        Path tiny = tinyCheckpoint();
        Map<String, Object> options = Map.of("maxTrainEpochs", 3L, "lrScheduler", "cosine", "lrWarmupSteps", 2L);
        Path whole = train(tiny, temp.resolve("whole"), options, 3, -1).outputs().get("last");

        Path interrupted = temp.resolve("interrupted");
        // Dies in the middle of epoch 2 (after batch 1 of 3), as a killed process would.
        assertThrows(IllegalStateException.class, () -> train(tiny, interrupted, options, 3, 4));
        assertTrue(Files.isDirectory(interrupted.resolve("state/step-00000003")), "state after epoch 1");
        Map<String, Object> resumed = new HashMap<>(options);
        resumed.put("resume", "auto");
        Path last = train(tiny, interrupted, resumed, 3, -1).outputs().get("last");
        assertEquals(SafeTensorsWriter.fileDataSha256(whole), SafeTensorsWriter.fileDataSha256(last));
    }

    @Test
    void resumingWithOtherSettingsIsRefused() throws Exception {
        Path tiny = tinyCheckpoint();
        Path run = temp.resolve("run");
        train(tiny, run, Map.of("maxTrainEpochs", 1L), 2, -1);
        Map<String, Object> changed = new HashMap<>(Map.of("maxTrainEpochs", 2L, "networkDim", 8L, "resume", "auto"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> train(tiny, run, changed, 2, -1));
        assertTrue(e.getMessage().contains("networkDim was 4, now 8"), e.getMessage());
    }

    /** Runs the stage over {@code batches} random batches per epoch; {@code dieAt} >= 0 throws at that batch number. */
    private StageResult train(Path checkpoint, Path stageDir, Map<String, Object> extra, int batches, int dieAt)
            throws Exception {
        Files.createDirectories(stageDir);
        Map<String, Object> values = new HashMap<>();
        values.put("dataset", temp.toString());
        values.put("outputName", "style");
        values.put("resolution", "64");
        values.put("learningRate", 1e-3);
        values.put("networkAlpha", 2.0);
        values.put("optimizer", new PluginChoice("adamw", Options.empty()));
        values.putAll(extra);
        values.computeIfPresent("dataset", (k, v) -> dev.lathe.api.ArtifactRef.file(Path.of((String) v)));
        Options options = PluginOptions.complete(new TrainStage(), Options.of(values));
        FakeStageContext context = new FakeStageContext("style", options, checkpoint, stageDir.getParent(), stageDir);
        return new TrainStage((settings, model, ctx, dir) -> new RandomLatents(batches, dieAt)).run(context);
    }

    /** Batches of seeded random latents [1, 4, 8, 8] with fixed captions. */
    private record RandomLatents(int batches, int dieAt) implements TrainingData {
        @Override
        public int batchesPerEpoch() {
            return batches;
        }

        @Override
        public List<? extends Batch> epoch(int epoch) {
            List<Batch> list = new ArrayList<>();
            for (int i = 0; i < batches; i++) {
                int number = (epoch - 1) * batches + i;
                list.add(new Batch() {
                    @Override
                    public NDArray latents(NDManager manager) {
                        if (number == dieAt) {
                            throw new IllegalStateException("killed");
                        }
                        SplittableRandom random = new SplittableRandom(number);
                        float[] values = new float[4 * 8 * 8];
                        for (int j = 0; j < values.length; j++) {
                            values[j] = (float) (random.nextDouble() * 2 - 1);
                        }
                        return manager.create(values, new Shape(1, 4, 8, 8));
                    }

                    @Override
                    public List<String> captions() {
                        return List.of(number % 2 == 0 ? "a photo of sks dog" : "sks dog, from side");
                    }

                    @Override
                    public float[] lossWeights() {
                        return new float[] {1f};
                    }

                    @Override
                    public List<SizeConditioning> sizes() {
                        return List.of(SizeConditioning.of(64, 64));
                    }
                });
            }
            return list;
        }

        @Override
        public DatasetFacts facts() {
            return new DatasetFacts(batches, "{\"1_sks\": {\"n_repeats\": 1, \"img_count\": " + batches + "}}",
                    "{\"1_sks\": {\"sks\": " + batches + "}}", "None");
        }
    }

    /**
     * kohya's default targets, read off the checkpoint's own key names: every Linear / 1x1-conv
     * weight inside a UNet transformer container and every text-encoder attention/MLP projection,
     * named lora_unet_/lora_te_ + the diffusers/HF module path. Maps name to the weight's shape.
     */
    private static Map<String, long[]> kohyaTargetsFromCheckpointKeys(Path tiny) throws IOException {
        Pattern unet = Pattern.compile("model\\.diffusion_model\\.(.*\\.(proj_in|proj_out|attn[12]\\.to_(q|k|v|out\\.0)"
                + "|ff\\.net\\.(0\\.proj|2)))\\.weight");
        Pattern text = Pattern.compile("cond_stage_model\\.transformer\\.(text_model\\.encoder\\.layers\\.\\d+\\."
                + "(self_attn\\.(q|k|v|out)_proj|mlp\\.fc[12]))\\.weight");
        Map<String, long[]> targets = new HashMap<>();
        for (TensorInfo info : SafeTensorsFile.readHeader(tiny).values()) {
            var t = text.matcher(info.name());
            if (t.matches()) {
                targets.put("lora_te_" + t.group(1).replace('.', '_'), info.shape());
            }
            var u = unet.matcher(info.name());
            if (u.matches()) {
                targets.put("lora_unet_" + diffusersPath(u.group(1)).replace('.', '_'), info.shape());
            }
        }
        return targets;
    }

    /** The tiny UNet's LDM paths (1 res block, transformers at level 0 and the middle) in diffusers naming. */
    private static String diffusersPath(String ldm) {
        String[] p = ldm.split("\\.", 4);
        return switch (p[0]) {
            case "input_blocks" -> "down_blocks.0.attentions." + (Integer.parseInt(p[1]) - 1) + "." + p[3];
            case "middle_block" -> "mid_block.attentions.0." + ldm.split("\\.", 3)[2];
            case "output_blocks" -> "up_blocks." + (Integer.parseInt(p[1]) / 2) + ".attentions." + (Integer.parseInt(p[1]) % 2)
                    + "." + p[3];
            default -> throw new IllegalArgumentException(ldm);
        };
    }

    private static float maxAbs(float[] values) {
        float m = 0;
        for (float v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    static Path tinyCheckpoint() {
        List<Path> candidates = new ArrayList<>();
        String property = System.getProperty("lathe.shared.dir");
        if (property != null) {
            candidates.add(Path.of(property, "fixtures/sd15/tiny.safetensors"));
        }
        candidates.add(Path.of("../../../shared/fixtures/sd15/tiny.safetensors"));
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) {
                return c.toAbsolutePath().normalize();
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("the shared SD 1.5 fixture is missing: " + candidates);
        }
        Assumptions.abort("the shared SD 1.5 fixture is missing");
        return null;
    }
}
