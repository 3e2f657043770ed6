package dev.lathe.sdxl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.lora.LoraDims;
import dev.lathe.lora.LoraFile;
import dev.lathe.lora.LoraFileContents;
import dev.lathe.lora.LoraWeights;
import dev.lathe.lora.ModelLoras;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.TensorInfo;
import dev.lathe.sdxl.testing.RealSdxlCheckpoint;
import dev.lathe.testing.SharedFolder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The modules and names kohya-ss gives an SDXL LoRA: on the tiny checkpoint exactly the fixture
 * LoRAs' modules; on the real-size SDXL layout (shapes only) exactly {@code lora_keys_sdxl.json}'s
 * lists for plain LoRA and LoCon, in kohya's order; every target names a layer of the loaded model.
 */
class SdxlLoraTargetsTest {

    private final SdxlFamily family = new SdxlFamily();

    @Test
    void tinyTargetsAreTheFixtureLorasModules() throws IOException {
        List<LoraTarget> targets = family.loraTargets(SafeTensorsFile.readHeader(Fixtures.tiny()), LoraScope.defaults());
        Map<String, LoraWeights> modules = new LinkedHashMap<>();
        for (String file : List.of("lora_te.safetensors", "lora_unet.safetensors")) {
            LoraFileContents lora = LoraFile.read(Fixtures.resource(file));
            modules.putAll(lora.modules());
        }
        assertEquals(modules.keySet(), names(targets).stream().collect(java.util.stream.Collectors.toSet()));
        assertEquals(160, targets.size(), "124 UNet + 2 encoders x 3 layers x 6");
        for (LoraTarget t : targets) {
            LoraWeights w = modules.get(t.loraName());
            assertEquals(w.in(), t.inFeatures(), t.loraName());
            assertEquals(w.out(), t.outFeatures(), t.loraName());
        }
        assertEquals("conditioner.embedders.1.transformer.text_model.encoder.layers.0.self_attn.k_proj.weight",
                targets.stream().filter(t -> t.loraName().equals("lora_te2_text_model_encoder_layers_0_self_attn_k_proj"))
                        .findFirst().orElseThrow().weightKey());
        assertEquals(List.of("lora_te1", "lora_te2", "lora_unet"), targets.stream()
                .map(t -> t.loraName().substring(0, t.loraName().indexOf('_', 5))).distinct().toList(),
                "text encoder 1, then 2, then the UNet");
    }

    @Test
    void loadedModelTargetsNameItsLayersAndMatchTheHeaderOnlyOnes() throws IOException {
        Map<String, TensorInfo> header = SafeTensorsFile.readHeader(Fixtures.tiny());
        try (SdxlModel model = SdxlModel.load(Fixtures.tiny(), LoadOptions.cpuFloat32())) {
            for (LoraScope scope : List.of(LoraScope.defaults(), new LoraScope(true, true, true),
                    new LoraScope(true, false, false), new LoraScope(false, true, false))) {
                List<LoraTarget> targets = model.loraTargets(scope);
                assertEquals(family.loraTargets(header, scope), targets, scope.toString());
                for (LoraTarget t : targets) {
                    assertNotNull(model.layers().get(t.weightKey().replaceFirst("\\.weight$", "")), t.weightKey());
                }
            }
            List<ModelLoras.Bound> bound = ModelLoras.forTargets(model, new LoraScope(true, true, true),
                    LoraDims.of(8, 4).withConv(4, 2));
            assertTrue(bound.stream().anyMatch(b -> b.spec().name().equals("lora_unet_output_blocks_1_2_conv")
                    && b.spec().rank() == 4), "the upsampler's 3x3 conv takes the conv rank");
            assertTrue(model.loraTargets(new LoraScope(false, false, false)).isEmpty());
        }
    }

    @Test
    void realSizeTargetsAreKohyas() {
        JsonNode json = readJson("train/lora_keys_sdxl.json");
        Map<String, TensorInfo> header = RealSdxlCheckpoint.header(RealSdxlCheckpoint.layout(json), DType.F16);
        assertTrue(family.recognize(header).recognized(), family.recognize(header).reason());
        assertKohyas(json.get("kohya").get("lora"), family.loraTargets(header, LoraScope.defaults()));
        List<LoraTarget> locon = family.loraTargets(header, new LoraScope(true, true, true));
        assertKohyas(json.get("kohya").get("locon"), locon);
        assertTrue(names(locon).contains("lora_unet_output_blocks_2_2_conv"));
        assertEquals(722, family.loraTargets(header, new LoraScope(true, false, false)).size());
        assertEquals(264, family.loraTargets(header, new LoraScope(false, true, false)).size());
    }

    /** Same names in the same order, with kohya's layer kinds and weight shapes. */
    private static void assertKohyas(JsonNode kohya, List<LoraTarget> targets) {
        List<String> expected = new ArrayList<>();
        kohya.forEach(m -> expected.add(m.get("name").asText()));
        assertEquals(expected, names(targets));
        for (int i = 0; i < targets.size(); i++) {
            LoraTarget t = targets.get(i);
            JsonNode m = kohya.get(i);
            JsonNode shape = m.get("org_weight_shape");
            long[] expectedShape = new long[shape.size()];
            for (int d = 0; d < expectedShape.length; d++) {
                expectedShape[d] = shape.get(d).asLong();
            }
            long[] actual = t.conv() ? new long[] {t.outFeatures(), t.inFeatures(), t.kernel(), t.kernel()}
                    : new long[] {t.outFeatures(), t.inFeatures()};
            assertArrayEquals(expectedShape, actual, t.loraName());
            assertEquals(m.get("kind").asText(), t.conv() ? (t.kernel() == 1 ? "conv1x1" : "conv") : "linear", t.loraName());
        }
    }

    private static List<String> names(List<LoraTarget> targets) {
        return targets.stream().map(LoraTarget::loraName).toList();
    }

    static JsonNode readJson(String shared) {
        try {
            return new ObjectMapper().readTree(SharedFolder.fixture(shared).toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
