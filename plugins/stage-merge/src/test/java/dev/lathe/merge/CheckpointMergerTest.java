package dev.lathe.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.lora.CheckpointMerger;
import dev.lathe.lora.LoraFile;
import dev.lathe.lora.LoraToMerge;
import dev.lathe.lora.LoraWeights;
import dev.lathe.lora.SavePrecision;
import dev.lathe.pipeline.ProgressFactory;
import dev.lathe.runtime.NDArrays;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import dev.lathe.sd15.Sd15Model;
import dev.lathe.testing.CheckpointRewrite;
import dev.lathe.testing.TensorAsserts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link CheckpointMerger} on the tiny SD 1.5 checkpoint with the fixture LoRA, against the
 * reference merge ({@code unet_lora_expected.safetensors}: the merged weights at strength 1 and
 * the UNet's eps with the LoRA merged at 1 and 0.5).
 */
class CheckpointMergerTest {

    private static final String MERGED_PREFIX = "merged_multiplier_1.0.";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private static CheckpointMerger.Merged merge(Path checkpoint, List<LoraToMerge> loras, Path target) throws IOException {
        try (Sd15Model model = Sd15Model.load(checkpoint, LoadOptions.cpuFloat32())) {
            return CheckpointMerger.merge(model, loras, target, ProgressFactory.silent());
        }
    }

    /** The adapted weights' keys of the reference: {@code merged_multiplier_1.0.<key>} without the prefix. */
    private static Map<String, Tensor> referenceMerged() {
        Map<String, Tensor> expected = new java.util.LinkedHashMap<>();
        CheckpointRewrite.read(Fixtures.resource("sd15/unet_lora_expected.safetensors")).forEach((name, tensor) -> {
            if (name.startsWith(MERGED_PREFIX)) {
                expected.put(name.substring(MERGED_PREFIX.length()), tensor);
            }
        });
        assertEquals(40, expected.size(), "the reference merges 40 weights");
        return expected;
    }

    /** The UNet's eps for the fixture inputs, with the weights of {@code checkpoint}. */
    private static float[] eps(Path checkpoint) {
        Map<String, Tensor> io = CheckpointRewrite.read(Fixtures.resource("sd15/unet_io.safetensors"));
        try (Sd15Model model = Sd15Model.load(checkpoint, LoadOptions.cpuFloat32());
                NDManager manager = TensorRuntime.newManager(Device.cpu());
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return TensorAsserts.floats(model.unet().forward(NDArrays.fromTensor(manager, io.get("x")),
                    NDArrays.fromTensor(manager, io.get("timesteps")), NDArrays.fromTensor(manager, io.get("context"))));
        }
    }

    private static void assertEps(String key, Path checkpoint) {
        Tensor expected = CheckpointRewrite.read(Fixtures.resource("sd15/unet_lora_expected.safetensors")).get(key);
        double[] tolerance = Fixtures.tolerance("unet_lora_expected.safetensors:" + key);
        TensorAsserts.assertClose(key + " of " + checkpoint.getFileName(), expected, eps(checkpoint), tolerance[0],
                tolerance[1]);
    }

    @Test
    void mergedWeightsAreTheReferenceMergeEveryOtherTensorIsCopiedAndTheUnetGivesTheReferenceEps() throws IOException {
        Path merged = temp.resolve("out/merged.safetensors");
        CheckpointMerger.Merged result = merge(Fixtures.tiny(), List.of(new LoraToMerge(Fixtures.lora(), 1.0)), merged);
        assertEquals(merged, result.checkpoint());
        assertEquals(40, result.modules());
        assertEquals(40, result.tensors());

        Map<String, Tensor> expected = referenceMerged();
        Map<String, Tensor> base = CheckpointRewrite.read(Fixtures.tiny());
        Map<String, Tensor> written = CheckpointRewrite.read(merged);
        assertEquals(base.keySet(), written.keySet());
        for (Map.Entry<String, Tensor> e : written.entrySet()) {
            Tensor original = base.get(e.getKey());
            assertEquals(original.dtype(), e.getValue().dtype(), e.getKey());
            assertArrayEquals(original.shape(), e.getValue().shape(), e.getKey());
            Tensor reference = expected.get(e.getKey());
            if (reference == null) {
                assertTrue(original.contentEquals(e.getValue()), e.getKey() + " is not adapted and must be copied byte for byte");
            } else {
                TensorAsserts.assertClose(e.getKey(), reference, e.getValue().toFloatArray(), 1e-6, 1e-5);
                assertFalse(original.contentEquals(e.getValue()), e.getKey() + " is adapted and must change");
            }
        }

        Map<String, String> baseMetadata = CheckpointRewrite.metadata(Fixtures.tiny());
        Map<String, String> metadata = CheckpointRewrite.metadata(merged);
        baseMetadata.forEach((key, value) -> assertEquals(value, metadata.get(key), "metadata " + key + " is kept"));
        assertEquals(baseMetadata.size() + 1, metadata.size());
        JsonNode provenance = JSON.readTree(metadata.get(CheckpointMerger.PROVENANCE_KEY));
        assertEquals(1, provenance.size());
        assertEquals("lora.safetensors", provenance.get(0).get("file").asText());
        assertEquals(SafeTensorsWriter.fileDataSha256(Fixtures.lora()), provenance.get(0).get("sshs_model_hash").asText(),
                "the fixture LoRA has no sshs_model_hash: the hash of its data section, as kohya computes it");
        assertEquals(1.0, provenance.get(0).get("strength").asDouble());
        assertEquals(result.provenance(), metadata.get(CheckpointMerger.PROVENANCE_KEY));

        assertEps("eps_multiplier_1.0", merged);
        try (var files = Files.list(merged.getParent())) {
            assertEquals(List.of(merged), files.toList(), "no temporary file is left behind");
        }
    }

    /** Strengths add up: the LoRA merged twice at 0.25 is the LoRA at 0.5; a merged checkpoint merged again keeps its record. */
    @Test
    void severalLorasOnOneWeightAddUpAndMergingAgainExtendsTheRecord() throws IOException {
        Path quarter = temp.resolve("quarter.safetensors");
        merge(Fixtures.tiny(), List.of(new LoraToMerge(Fixtures.lora(), 0.25)), quarter);
        Path twice = temp.resolve("twice.safetensors");
        CheckpointMerger.Merged again = merge(quarter, List.of(new LoraToMerge(Fixtures.lora(), 0.25)), twice);
        assertEquals(2, JSON.readTree(again.provenance()).size(), "the record of the first merge is kept, first");

        Path half = temp.resolve("half.safetensors");
        CheckpointMerger.Merged both = merge(Fixtures.tiny(),
                List.of(new LoraToMerge(Fixtures.lora(), 0.25), new LoraToMerge(Fixtures.lora(), 0.25)), half);
        assertEquals(80, both.modules());
        assertEquals(40, both.tensors(), "both LoRAs adapt the same 40 weights");
        JsonNode record = JSON.readTree(CheckpointRewrite.metadata(half).get(CheckpointMerger.PROVENANCE_KEY));
        assertEquals(2, record.size());
        assertEquals(0.25, record.get(1).get("strength").asDouble());
        assertEps("eps_multiplier_0.5", half);
    }

    /**
     * A half-precision checkpoint merges into its own dtype: adapted weights are the stored values
     * plus the LoRA's update, rounded once (within one unit in the last place of the float32
     * reference's rounding); every other tensor is the base's bytes.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16"})
    void halfPrecisionCheckpointsMergeIntoTheirOwnDtype(DType dtype) throws IOException {
        Map<String, Tensor> f32 = CheckpointRewrite.read(Fixtures.tiny());
        Path base = temp.resolve("tiny-" + dtype + ".safetensors");
        CheckpointRewrite.write(base, CheckpointRewrite.converted(f32, dtype), CheckpointRewrite.metadata(Fixtures.tiny()));
        Path merged = temp.resolve("merged-" + dtype + ".safetensors");
        merge(base, List.of(new LoraToMerge(Fixtures.lora(), 1.0)), merged);

        Map<String, Tensor> expected = referenceMerged();
        Map<String, Tensor> stored = CheckpointRewrite.read(base);
        Map<String, Tensor> written = CheckpointRewrite.read(merged);
        assertEquals(stored.keySet(), written.keySet());
        double ulp = dtype == DType.F16 ? 0x1p-10 : 0x1p-7;
        for (Map.Entry<String, Tensor> e : written.entrySet()) {
            Tensor original = stored.get(e.getKey());
            assertEquals(original.dtype(), e.getValue().dtype(), e.getKey() + " keeps its dtype");
            Tensor reference = expected.get(e.getKey());
            if (reference == null) {
                assertTrue(original.contentEquals(e.getValue()), e.getKey() + " is copied byte for byte");
                continue;
            }
            // the stored weight plus the reference's update (merged − original weight, in float32)
            float[] update = reference.toFloatArray();
            float[] w32 = f32.get(e.getKey()).toFloatArray();
            float[] w = original.toFloatArray();
            float[] want = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                want[i] = w[i] + (update[i] - w32[i]);
            }
            float[] rounded = Tensor.ofFloats(dtype, reference.shape(), want).toFloatArray();
            float[] got = e.getValue().toFloatArray();
            for (int i = 0; i < got.length; i++) {
                double allowed = Math.max(Math.abs(rounded[i]), 0x1p-14) * ulp;
                assertTrue(Math.abs(got[i] - rounded[i]) <= allowed, e.getKey() + "[" + i + "]: " + got[i] + " vs "
                        + rounded[i]);
            }
        }
    }

    @Test
    void aLoraForSdxlOrWithModulesTheModelLacksIsRefusedByNameAndNothingIsWritten() throws IOException {
        Path target = temp.resolve("never.safetensors");
        InvalidInputException sdxl = assertThrows(InvalidInputException.class,
                () -> merge(Fixtures.tiny(), List.of(new LoraToMerge(Fixtures.sdxlLora(), 1.0)), target));
        assertTrue(sdxl.getMessage().contains("lora_unet.safetensors is a LoRA for SDXL"), sdxl.getMessage());
        assertTrue(sdxl.getMessage().contains("use it with an SDXL checkpoint"), sdxl.getMessage());

        Path foreign = temp.resolve("foreign.safetensors");
        String bogus = "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_x";
        LoraWeights fixture = LoraFile.read(Fixtures.lora()).modules().values().iterator().next();
        LoraFile.write(foreign, List.of(fixture, new LoraWeights(bogus, Tensor.ofFloats(new long[] {4, 32}, new float[128]),
                Tensor.ofFloats(new long[] {32, 4}, new float[128]), 2f)), SavePrecision.FP32,
                Map.of("ss_base_model_version", "sd_v1"));
        InvalidInputException unknown = assertThrows(InvalidInputException.class,
                () -> merge(Fixtures.tiny(), List.of(new LoraToMerge(foreign, 1.0)), target));
        assertTrue(unknown.getMessage().contains("1 module(s) name no layer of it (" + bogus + ")"), unknown.getMessage());
        assertFalse(Files.exists(target));
        try (var files = Files.list(temp)) {
            assertEquals(Set.of("foreign.safetensors"), new TreeSet<>(files.map(f -> f.getFileName().toString()).toList()));
        }
    }

    @Test
    void theBaseItselfOrATargetThatIsNoSafetensorsNameIsRefused() throws IOException {
        Path base = Files.copy(Fixtures.tiny(), temp.resolve("base.safetensors"));
        byte[] before = Files.readAllBytes(base);
        InvalidInputException itself = assertThrows(InvalidInputException.class,
                () -> merge(base, List.of(new LoraToMerge(Fixtures.lora(), 1.0)), temp.resolve("./base.safetensors")));
        assertTrue(itself.getMessage().contains("is the base checkpoint itself"), itself.getMessage());
        assertArrayEquals(before, Files.readAllBytes(base));
        InvalidInputException extension = assertThrows(InvalidInputException.class,
                () -> merge(base, List.of(new LoraToMerge(Fixtures.lora(), 1.0)), temp.resolve("merged.ckpt")));
        assertTrue(extension.getMessage().contains("must be a .safetensors file name"), extension.getMessage());
    }

    /** The same file read back through the product's reader: valid, and readable tensor by tensor from the mapping. */
    @Test
    void theMergedFileIsAValidSafetensorsFile() throws IOException {
        Path merged = temp.resolve("valid.safetensors");
        merge(Fixtures.tiny(), List.of(new LoraToMerge(Fixtures.lora(), -1.0)), merged);
        try (SafeTensorsFile file = SafeTensorsFile.open(merged); SafeTensorsFile base = SafeTensorsFile.open(Fixtures.tiny())) {
            assertEquals(base.tensors().size(), file.tensors().size());
            assertEquals(base.fileSize() - base.dataOffset(), file.fileSize() - file.dataOffset(), "same data size");
        }
    }
}
