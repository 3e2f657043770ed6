package dev.lathe.sdxl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.lora.LoraAttachment;
import dev.lathe.lora.LoraDropout;
import dev.lathe.lora.LoraFile;
import dev.lathe.lora.LoraFileContents;
import dev.lathe.lora.LoraModule;
import dev.lathe.lora.LoraNetwork;
import dev.lathe.lora.ModelLoras;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.Tensor;
import dev.lathe.testing.CheckpointRewrite;
import dev.lathe.testing.TensorAsserts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fixture's kohya LoRAs for the UNet ({@code lora_unet}) and both text encoders
 * ({@code lora_te}, text encoder 2's q/k/v over OpenCLIP's fused {@code in_proj}) applied through
 * the family-neutral API — {@link ModelLoras#forFile}, {@link LoraNetwork#load},
 * {@link LoraAttachment#attach} — reproduce the reference outputs; detaching restores the base
 * model; and merging the LoRA into the checkpoint's weights (written back in the file's own
 * layout, q/k/v into the fused rows) gives what run-time application gives.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdxlLoraTest {

    private static final String TE2_HF = "conditioner.embedders.1.transformer.text_model.encoder.layers.";
    private static final Pattern TE2_LAYER = Pattern.compile(Pattern.quote(TE2_HF) + "(\\d+)\\.(.+)");

    @TempDir
    Path temp;

    private SdxlModel model;
    private NDManager manager;

    @BeforeAll
    void load() {
        model = SdxlModel.load(Fixtures.tiny(), LoadOptions.cpuFloat32());
        manager = TensorRuntime.newManager(Device.cpu());
    }

    @AfterAll
    void close() {
        manager.close();
        model.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"lora_unet", "lora_te"})
    void fixtureLoraMatchesTheReferenceAndMergingEqualsRunTime(String lora) throws IOException {
        LoraFileContents file = LoraFile.read(Fixtures.resource(lora + ".safetensors"));
        List<ModelLoras.Bound> bound = ModelLoras.forFile(model, file);
        assertEquals(lora.equals("lora_unet") ? 124 : 36, bound.size(), "every module of the file binds to a layer");
        String expectedFile = lora + "_expected.safetensors";
        String textFile = lora.equals("lora_te") ? expectedFile : "text_io.safetensors";
        String unetFile = lora.equals("lora_unet") ? expectedFile : "unet_io.safetensors";

        Map<String, float[]> applied;
        Path merged = temp.resolve(lora + "-merged.safetensors");
        try (LoraNetwork network = LoraNetwork.load(manager, bound.stream().map(ModelLoras.Bound::spec).toList(), file,
                1.0f, LoraDropout.none());
             LoraAttachment attachment = LoraAttachment.attach(network, bound, null)) {
            assertEquals(bound.size(), attachment.size());
            applied = SdxlParityTest.computeAll(model, textFile, unetFile);
            writeMerged(network, bound, merged);
        }
        int checked = 0;
        for (String key : Fixtures.toleranceKeys()) {
            if (key.startsWith(expectedFile)) {
                Fixtures.assertMatches(expectedFile, key.substring((expectedFile + ":expected.").length()), applied.get(key));
                checked++;
            }
        }
        assertEquals(lora.equals("lora_unet") ? 1 : 6, checked);

        SdxlParityTest.assertAllMatch(SdxlParityTest.computeAll(model)); // detached: the base model again
        model.layers().values().forEach(l -> assertTrue(l.adapters().isEmpty(), l.name()));

        try (SdxlModel mergedModel = SdxlModel.load(merged, LoadOptions.cpuFloat32())) {
            Map<String, float[]> fromMerged = SdxlParityTest.computeAll(mergedModel, textFile, unetFile);
            for (Map.Entry<String, float[]> e : applied.entrySet()) {
                double error = TensorAsserts.relativeMaxError(fromMerged.get(e.getKey()), e.getValue());
                assertTrue(error < 2e-6, e.getKey() + ": merged weights differ from run-time application by " + error
                        + " of max|output|");
            }
        }
    }

    /**
     * The tiny checkpoint with every bound module merged into its weight, written in the original
     * layout: for text encoder 2's q/k/v the rows [0, W), [W, 2W), [2W, 3W) of the fused
     * {@code in_proj_weight}, out_proj / fc1 / fc2 as OpenCLIP's {@code attn.out_proj},
     * {@code mlp.c_fc}, {@code mlp.c_proj} (fixtures/sdxl/README.md, section 5).
     */
    private void writeMerged(LoraNetwork network, List<ModelLoras.Bound> bound, Path target) {
        Map<String, Tensor> tensors = CheckpointRewrite.read(Fixtures.tiny());
        int width = model.spec().te2().width();
        for (ModelLoras.Bound b : bound) {
            LoraModule module = network.module(b.spec().name()).orElseThrow();
            float[] mergedWeight;
            try (NDArray m = module.merge(b.layer().weight(), 1.0f)) {
                mergedWeight = m.toFloatArray();
            }
            Matcher te2 = TE2_LAYER.matcher(b.layer().name());
            if (!te2.matches()) {
                String key = b.layer().name() + ".weight";
                tensors.put(key, Tensor.ofFloats(tensors.get(key).shape(), mergedWeight));
                continue;
            }
            String block = "conditioner.embedders.1.model.transformer.resblocks." + te2.group(1) + ".";
            String part = te2.group(2);
            int qkv = List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj").indexOf(part);
            if (qkv >= 0) {
                String key = block + "attn.in_proj_weight";
                Tensor fused = tensors.get(key);
                float[] values = fused.toFloatArray();
                System.arraycopy(mergedWeight, 0, values, qkv * width * width, width * width);
                tensors.put(key, Tensor.ofFloats(fused.shape(), values));
            } else {
                String key = block + Map.of("self_attn.out_proj", "attn.out_proj", "mlp.fc1", "mlp.c_fc",
                        "mlp.fc2", "mlp.c_proj").get(part) + ".weight";
                tensors.put(key, Tensor.ofFloats(tensors.get(key).shape(), mergedWeight));
            }
        }
        CheckpointRewrite.write(target, tensors, CheckpointRewrite.metadata(Fixtures.tiny()));
    }
}
