package dev.lathe.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.lathe.api.InvalidInputException;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.HalfFloats;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing and reading kohya LoRA files: round trip, hashes, save precisions, the SD 1.5 fixture LoRA, bad files. */
class LoraFileTest {

    @TempDir
    Path temp;

    private final SplittableRandom random = new SplittableRandom(3);

    @Test
    void roundTripInFloat32() throws IOException {
        List<LoraWeights> modules = List.of(
                linear("lora_te_text_model_encoder_layers_0_mlp_fc1", 4, 8, 32, 2f),
                conv("lora_unet_down_blocks_0_resnets_0_conv1", 2, 8, 8, 3, 1f),
                conv("lora_unet_mid_block_attentions_0_proj_in", 4, 8, 8, 1, 4f));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("ss_network_module", "networks.lora");
        metadata.put("ss_network_dim", "4");
        Path file = temp.resolve("a.safetensors");

        KohyaHashes hashes = LoraFile.write(file, modules, SavePrecision.FP32, metadata);
        LoraFileContents read = LoraFile.read(file);

        assertEquals(List.of("lora_te_text_model_encoder_layers_0_mlp_fc1", "lora_unet_down_blocks_0_resnets_0_conv1",
                "lora_unet_mid_block_attentions_0_proj_in"), List.copyOf(read.modules().keySet()));
        for (LoraWeights expected : modules) {
            LoraWeights actual = read.module(expected.name());
            assertTrue(expected.down().contentEquals(actual.down()), expected.name());
            assertTrue(expected.up().contentEquals(actual.up()), expected.name());
            assertEquals(expected.alpha(), actual.alpha());
            assertEquals(expected.rank(), actual.rank());
        }
        assertEquals(LayerKind.LINEAR, read.module("lora_te_text_model_encoder_layers_0_mlp_fc1").kind());
        assertEquals(LayerKind.CONV, read.module("lora_unet_down_blocks_0_resnets_0_conv1").kind());
        assertEquals(LayerKind.CONV_1X1, read.module("lora_unet_mid_block_attentions_0_proj_in").kind());
        assertEquals(List.of("ss_network_module", "ss_network_dim", "sshs_model_hash", "sshs_legacy_hash"),
                List.copyOf(read.metadata().keySet()));
        assertEquals(hashes.modelHash(), read.metadata().get("sshs_model_hash"));
        assertTrue(read.modulesWithoutAlpha().isEmpty());
        try (SafeTensorsFile raw = SafeTensorsFile.open(file)) {
            assertEquals(0, raw.info("lora_unet_mid_block_attentions_0_proj_in.alpha").rank(), "alpha is 0-dim");
        }
    }

    /** sshs_model_hash is the SHA-256 of every byte after the header of the file written. */
    @Test
    void modelHashIsTheDataSectionsSha256() throws IOException {
        Path file = temp.resolve("h.safetensors");
        KohyaHashes hashes = LoraFile.write(file, List.of(linear("lora_unet_x", 4, 16, 16, 4f)), SavePrecision.FP16,
                Map.of("ss_seed", "1"));
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] data = Arrays.copyOfRange(bytes, (int) (8 + headerLength), bytes.length);
        assertEquals(sha256(data), hashes.modelHash());
        assertEquals(SafeTensorsWriter.fileDataSha256(file), hashes.modelHash());
        assertEquals(sha256(new byte[0]).substring(0, 8), hashes.legacyHash(), "a file under 1 MiB hashes nothing");
    }

    /**
     * sshs_legacy_hash hashes 64 KiB at offset 1 MiB of the file serialized with only the ss_*
     * metadata, so the other metadata (here modelspec.*) does not move the window.
     */
    @Test
    void legacyHashIsTheWindowAtOneMebibyteWithTrainingMetadataOnly() throws IOException {
        List<LoraWeights> modules = List.of(linear("lora_unet_a", 96, 2048, 2048, 32f), // 2 x 768 KiB in fp32
                linear("lora_unet_b", 8, 256, 256, 8f));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("modelspec.title", "a title that is not part of the hash".repeat(20));
        metadata.put("ss_network_dim", "96");
        metadata.put("ss_output_name", "test");
        KohyaHashes hashes = LoraFile.write(temp.resolve("big.safetensors"), modules, SavePrecision.FP32, metadata);

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (LoraWeights m : modules) {
            tensors.put(m.name() + ".lora_down.weight", m.down());
            tensors.put(m.name() + ".lora_up.weight", m.up());
            tensors.put(m.name() + ".alpha", Tensor.scalar(m.alpha()));
        }
        Path trainingOnly = temp.resolve("ss-only.safetensors");
        SafeTensorsWriter.write(trainingOnly, tensors, Map.of("ss_network_dim", "96", "ss_output_name", "test"));
        byte[] bytes = Files.readAllBytes(trainingOnly);
        assertTrue(bytes.length > 0x110000);
        assertEquals(sha256(Arrays.copyOfRange(bytes, 0x100000, 0x110000)).substring(0, 8), hashes.legacyHash());
    }

    @Test
    void halfPrecisionsConvertEveryTensorIncludingAlpha() throws IOException {
        LoraWeights module = conv("lora_unet_down_blocks_0_downsamplers_0_conv", 4, 8, 8, 3, 72f);
        float[] down = module.down().toFloatArray();
        for (SavePrecision precision : List.of(SavePrecision.FP16, SavePrecision.BF16)) {
            Path file = temp.resolve(precision + ".safetensors");
            LoraFile.write(file, List.of(module), precision, Map.of());
            try (SafeTensorsFile raw = SafeTensorsFile.open(file)) {
                for (String key : raw.tensors().keySet()) {
                    assertEquals(precision.dtype(), raw.info(key).dtype(), key);
                }
                Tensor stored = raw.tensor(module.name() + ".lora_down.weight");
                for (int i = 0; i < down.length; i++) {
                    short bits = stored.data().getShort(i * 2);
                    short expected = precision == SavePrecision.FP16 ? HalfFloats.f32ToF16(down[i])
                            : HalfFloats.f32ToBf16(down[i]);
                    assertEquals(expected, bits, "round to nearest even, element " + i);
                }
            }
            LoraWeights read = LoraFile.read(file).module(module.name());
            assertEquals(72f, read.alpha());
            float[] back = read.down().toFloatArray();
            for (int i = 0; i < down.length; i++) {
                assertEquals(down[i], back[i], Math.abs(down[i]) * (precision == SavePrecision.FP16 ? 1e-3 : 8e-3));
            }
        }
    }

    /** The SD 1.5 fixture LoRA ({@code fixtures/sd15/lora.safetensors}, copied to test resources). */
    @Test
    void readsTheSd15FixtureLora() throws IOException, URISyntaxException {
        Path file = Path.of(LoraFileTest.class.getResource("/safetensors/lora.safetensors").toURI());
        LoraFileContents lora = LoraFile.read(file);
        assertEquals(40, lora.modules().size());
        for (LoraWeights module : lora.modules().values()) {
            assertEquals(4, module.rank(), module.name());
            assertEquals(2f, module.alpha(), module.name());
            assertEquals(0.5f, module.scale(), module.name());
            boolean projection = module.name().endsWith("_proj_in") || module.name().endsWith("_proj_out");
            assertEquals(projection ? LayerKind.CONV_1X1 : LayerKind.LINEAR, module.kind(), module.name());
            assertTrue(module.name().startsWith("lora_unet_"), module.name());
        }
        assertTrue(lora.modules().containsKey("lora_unet_mid_block_attentions_0_proj_in"));
        assertEquals("4", lora.metadata().get("ss_network_dim"));
        assertEquals("sd_v1", lora.metadata().get("ss_base_model_version"));
    }

    @Test
    void unknownKeysAreNamed() throws IOException {
        Path file = temp.resolve("loha.safetensors");
        SafeTensorsWriter.write(file, Map.of("lora_unet_a.hada_w1_a", Tensor.ofFloats(new long[] {2, 2}, new float[4]),
                "lora_unet_b.lora_down.weight", Tensor.ofFloats(new long[] {1, 2}, new float[2]),
                "lora_unet_b.lora_up.weight", Tensor.ofFloats(new long[] {2, 1}, new float[2])), Map.of());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> LoraFile.read(file));
        assertTrue(e.getMessage().contains("lora_unet_a.hada_w1_a"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void partialAndMismatchedModulesAreNamed() throws IOException {
        Path file = temp.resolve("partial.safetensors");
        SafeTensorsWriter.write(file, Map.of(
                "lora_unet_only_down.lora_down.weight", Tensor.ofFloats(new long[] {1, 2}, new float[2]),
                "lora_unet_ranks.lora_down.weight", Tensor.ofFloats(new long[] {2, 2}, new float[4]),
                "lora_unet_ranks.lora_up.weight", Tensor.ofFloats(new long[] {2, 1}, new float[2]),
                "lora_unet_fine.lora_down.weight", Tensor.ofFloats(new long[] {1, 2}, new float[2]),
                "lora_unet_fine.lora_up.weight", Tensor.ofFloats(new long[] {2, 1}, new float[2])), Map.of());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> LoraFile.read(file));
        assertTrue(e.getMessage().contains("lora_unet_only_down has no lora_up.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("lora_unet_ranks"), e.getMessage());
        assertTrue(!e.getMessage().contains("lora_unet_fine"), e.getMessage());
    }

    @Test
    void missingAlphaMeansRankAndIsReported() throws IOException {
        Path file = temp.resolve("noalpha.safetensors");
        SafeTensorsWriter.write(file, Map.of("lora_unet_m.lora_down.weight", Tensor.ofFloats(new long[] {3, 2}, new float[6]),
                "lora_unet_m.lora_up.weight", Tensor.ofFloats(new long[] {2, 3}, new float[6])), Map.of());
        LoraFileContents read = LoraFile.read(file);
        assertEquals(3f, read.module("lora_unet_m").alpha());
        assertEquals(List.of("lora_unet_m"), read.modulesWithoutAlpha());
    }

    /** A trained module saved and loaded again for more training has the same weights and scale. */
    @Test
    void modulesSurviveSavingAndLoading() throws IOException {
        LoraModuleSpec spec = new LoraModuleSpec("lora_unet_mid_block_attentions_0_proj_in", ModelPart.UNET,
                ModuleDescriptor.conv("mid_block.attentions.0.proj_in", 8, 8, 1, 1, 0), 4, 0f);
        try (NDManager manager = TensorRuntime.newManager(Device.cpu())) {
            LoraModule module = LoraModule.initialize(manager, spec, 7, 1f, LoraDropout.none());
            module.up().addi(manager.ones(module.up().getShape()));
            Path file = temp.resolve("m.safetensors");
            LoraFile.write(file, List.of(LoraWeights.of(module)), SavePrecision.FP32, Map.of());
            LoraWeights read = LoraFile.read(file).module(spec.name());
            assertEquals(4f, read.alpha(), "kohya stores the effective alpha");
            LoraModule again = read.toModule(manager, spec, 1f, LoraDropout.none());
            assertArrayEquals(module.down().toFloatArray(), again.down().toFloatArray());
            assertArrayEquals(module.up().toFloatArray(), again.up().toFloatArray());
            assertEquals(module.spec().scale(), again.spec().scale());
            LoraModuleSpec wrongRank = new LoraModuleSpec(spec.name(), spec.part(), spec.layer(), 2, 0f);
            assertThrows(IllegalArgumentException.class, () -> read.toModule(manager, wrongRank, 1f, LoraDropout.none()));
        }
    }

    private LoraWeights linear(String name, int rank, int in, int out, float alpha) {
        return new LoraWeights(name, tensor(rank, in), tensor(out, rank), alpha);
    }

    private LoraWeights conv(String name, int rank, int in, int out, int kernel, float alpha) {
        return new LoraWeights(name, tensor(rank, in, kernel, kernel), tensor(out, rank, 1, 1), alpha);
    }

    private Tensor tensor(long... shape) {
        float[] values = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 0.1f;
        }
        return Tensor.ofFloats(shape, values);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
