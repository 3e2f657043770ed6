package dev.lathe.sdxl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.lora.CheckpointMerger;
import dev.lathe.lora.LoraAttachment;
import dev.lathe.lora.LoraDropout;
import dev.lathe.lora.LoraFile;
import dev.lathe.lora.LoraFileContents;
import dev.lathe.lora.LoraNetwork;
import dev.lathe.lora.LoraToMerge;
import dev.lathe.lora.ModelLoras;
import dev.lathe.pipeline.ProgressFactory;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.testing.TensorAsserts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 * model; and merging the LoRA into the checkpoint's weights with {@link CheckpointMerger} (written
 * back in the file's own layout, q/k/v into the fused rows) gives what run-time application gives.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdxlLoraTest {

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
        }
        // the product's merge: text encoder 2's q/k/v go back into the rows of its fused in_proj_weight
        CheckpointMerger.Merged written = CheckpointMerger.merge(model,
                List.of(new LoraToMerge(Fixtures.resource(lora + ".safetensors"), 1.0)), merged, ProgressFactory.silent());
        assertEquals(bound.size(), written.modules());
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
}
