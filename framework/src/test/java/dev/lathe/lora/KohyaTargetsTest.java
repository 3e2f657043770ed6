package dev.lathe.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.safetensors.SharedFixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The LoRA and LoCon module lists kohya-ss creates for real-size SD 1.5 and SDXL models
 * ({@code fixtures/train/lora_keys_*.json}, read from the shared folder: 3.5 MB stays out of the
 * repository; under {@code CI=true} a missing folder fails the test, elsewhere it is skipped).
 *
 * <p>The module trees are derived as a model family would derive them from a checkpoint: every
 * 2-D weight is a Linear, every 4-D weight a Conv2d (stride 2 for the downsampler convolutions,
 * padding 1 for 3x3 kernels), SD 1.5 UNet paths in diffusers layout (from ComfyUI's diffusers
 * key map in the same file), SDXL UNet paths as stored, text encoders in Hugging Face layout.
 * The descriptors are shuffled and put back in order with {@link StableDiffusionPaths#kohyaOrder()},
 * as they would be when read from a checkpoint header.
 */
class KohyaTargetsTest {

    private static final LoraDims LORA = LoraDims.of(16, 8);
    private static final LoraDims LOCON = LoraDims.of(16, 8).withConv(8, 4);

    @Test
    void sd15() throws IOException {
        JsonNode json = fixture("lora_keys_sd15.json");
        Map<ModelPart, List<ModuleDescriptor>> parts = new EnumMap<>(ModelPart.class);
        parts.put(ModelPart.TEXT_ENCODER, textEncoder(json, "clip_l."));
        List<ModuleDescriptor> unet = new ArrayList<>();
        JsonNode weights = json.get("weights").get("unet");
        for (JsonNode pair : json.get("comfyui_key_map").get("unet").get("diffusers_unet")) {
            String diffusers = pair.get(0).asText();
            String path = diffusers.replace(".processor.to_out", ".to_out.0").replace(".processor.", ".");
            layer(path, shape(weights.get(pair.get(1).asText())), path.contains(".downsamplers.")).ifPresent(unet::add);
        }
        parts.put(ModelPart.UNET, unet);

        assertMatchesKohya(json.get("kohya").get("lora"), select(parts, LORA), 264);
        assertMatchesKohya(json.get("kohya").get("locon"), select(parts, LOCON), 350);
    }

    @Test
    void sdxl() throws IOException {
        JsonNode json = fixture("lora_keys_sdxl.json");
        Map<ModelPart, List<ModuleDescriptor>> parts = new EnumMap<>(ModelPart.class);
        parts.put(ModelPart.TEXT_ENCODER_1, textEncoder(json, "clip_l."));
        parts.put(ModelPart.TEXT_ENCODER_2, textEncoder(json, "clip_g."));
        List<ModuleDescriptor> unet = new ArrayList<>();
        json.get("weights").get("unet").fields().forEachRemaining(e -> {
            String path = e.getKey().substring("diffusion_model.".length()).replaceFirst("\\.weight$", "");
            if (e.getKey().endsWith(".weight")) {
                layer(path, shape(e.getValue()), path.endsWith(".op")).ifPresent(unet::add);
            }
        });
        parts.put(ModelPart.UNET, unet);

        assertMatchesKohya(json.get("kohya").get("lora"), select(parts, LORA), 986);
        assertMatchesKohya(json.get("kohya").get("locon"), select(parts, LOCON), 1052);
    }

    @Test
    void coverageLeavesOutAPart() {
        List<ModuleTree> trees = List.of(
                new ModuleTree(ModelPart.UNET, List.of(ModuleDescriptor.linear("mid_block.attentions.0.proj_in", 8, 8))),
                new ModuleTree(ModelPart.TEXT_ENCODER,
                        List.of(ModuleDescriptor.linear("text_model.encoder.layers.0.mlp.fc1", 8, 32))));
        assertEquals(List.of("lora_te_text_model_encoder_layers_0_mlp_fc1", "lora_unet_mid_block_attentions_0_proj_in"),
                names(KohyaTargets.select(trees, LORA, Coverage.ALL)), "text encoder first");
        assertEquals(List.of("lora_unet_mid_block_attentions_0_proj_in"),
                names(KohyaTargets.select(trees, LORA, Coverage.UNET_ONLY)));
        assertEquals(List.of("lora_te_text_model_encoder_layers_0_mlp_fc1"),
                names(KohyaTargets.select(trees, LORA, Coverage.TEXT_ENCODER_ONLY)));
    }

    @Test
    void clashingNamesAreRefused() {
        // dots become underscores, so two paths can collide; kohya asserts against it too
        List<ModuleTree> trees = List.of(new ModuleTree(ModelPart.UNET, List.of(
                ModuleDescriptor.linear("mid_block.attentions.0.a_b", 8, 8),
                ModuleDescriptor.linear("mid_block.attentions.0.a.b", 8, 8))));
        assertThrows(IllegalArgumentException.class, () -> KohyaTargets.select(trees, LORA, Coverage.ALL));
    }

    @Test
    void blocksFromPaths() {
        assertEquals(BlockKind.TRANSFORMER, StableDiffusionPaths.blockOf("up_blocks.1.attentions.2.proj_out"));
        assertEquals(BlockKind.RESNET, StableDiffusionPaths.blockOf("mid_block.resnets.1.conv_shortcut"));
        assertEquals(BlockKind.DOWNSAMPLE, StableDiffusionPaths.blockOf("down_blocks.0.downsamplers.0.conv"));
        assertEquals(BlockKind.UPSAMPLE, StableDiffusionPaths.blockOf("up_blocks.0.upsamplers.0.conv"));
        assertEquals(BlockKind.TRANSFORMER, StableDiffusionPaths.blockOf("middle_block.1.transformer_blocks.3.ff.net.2"));
        assertEquals(BlockKind.RESNET, StableDiffusionPaths.blockOf("output_blocks.3.0.skip_connection"));
        assertEquals(BlockKind.DOWNSAMPLE, StableDiffusionPaths.blockOf("input_blocks.3.0.op"));
        assertEquals(BlockKind.UPSAMPLE, StableDiffusionPaths.blockOf("output_blocks.2.2.conv"));
        assertEquals(BlockKind.OTHER, StableDiffusionPaths.blockOf("input_blocks.0.0"));
        assertEquals(BlockKind.OTHER, StableDiffusionPaths.blockOf("time_embedding.linear_1"));
        assertEquals(BlockKind.OTHER, StableDiffusionPaths.blockOf("out.2"));
        assertEquals(BlockKind.TEXT_ATTENTION, StableDiffusionPaths.blockOf("text_model.encoder.layers.11.self_attn.out_proj"));
        assertEquals(BlockKind.TEXT_MLP, StableDiffusionPaths.blockOf("text_model.encoder.layers.0.mlp.fc2"));
        assertEquals(BlockKind.OTHER, StableDiffusionPaths.blockOf("text_projection"));
    }

    private static List<LoraModuleSpec> select(Map<ModelPart, List<ModuleDescriptor>> parts, LoraDims dims) {
        List<ModuleTree> trees = new ArrayList<>();
        Random random = new Random(17);
        parts.forEach((part, layers) -> {
            List<ModuleDescriptor> shuffled = new ArrayList<>(layers);
            Collections.shuffle(shuffled, random);
            shuffled.sort((a, b) -> StableDiffusionPaths.kohyaOrder().compare(a.path(), b.path()));
            trees.add(new ModuleTree(part, shuffled));
        });
        Collections.reverse(trees); // the builder puts the text encoders first itself
        return KohyaTargets.select(trees, dims, Coverage.ALL);
    }

    private static void assertMatchesKohya(JsonNode kohya, List<LoraModuleSpec> actual, int expectedCount) {
        assertEquals(expectedCount, kohya.size());
        List<String> expectedNames = new ArrayList<>();
        kohya.forEach(m -> expectedNames.add(m.get("name").asText()));
        assertEquals(expectedNames, names(actual), "names in kohya's creation order");
        for (int i = 0; i < kohya.size(); i++) {
            JsonNode expected = kohya.get(i);
            LoraModuleSpec spec = actual.get(i);
            String name = spec.name();
            assertEquals(expected.get("kind").asText(), spec.kind().label(), name);
            assertEquals(expected.get("rank").asInt(), spec.rank(), name);
            assertEquals(expected.get("alpha").floatValue(), spec.alpha(), name);
            assertArrayEquals(longs(expected.get("lora_down.weight")), spec.downShape(), name + " down");
            assertArrayEquals(longs(expected.get("lora_up.weight")), spec.upShape(), name + " up");
            assertArrayEquals(longs(expected.get("org_weight_shape")), spec.layer().weightShape(), name + " weight");
            if (spec.kind().isConv()) {
                assertEquals(expected.get("stride").get(0).asInt(), spec.layer().stride(), name + " stride");
                assertEquals(expected.get("padding").get(0).asInt(), spec.layer().padding(), name + " padding");
            }
        }
    }

    /** A text encoder's Linear layers from ComfyUI names {@code <prefix>transformer.<HF path>.weight}. */
    private static List<ModuleDescriptor> textEncoder(JsonNode json, String prefix) {
        List<ModuleDescriptor> layers = new ArrayList<>();
        json.get("weights").get("text_encoders").fields().forEachRemaining(e -> {
            String key = e.getKey();
            if (key.startsWith(prefix) && key.endsWith(".weight") && !key.contains(".embeddings.")) {
                String path = key.substring((prefix + "transformer.").length(), key.length() - ".weight".length());
                layer(path, shape(e.getValue()), false).ifPresent(layers::add);
            }
        });
        return layers;
    }

    /** A Linear for a 2-D weight, a Conv2d for a 4-D one (stride 2 in downsamplers); nothing for norms. */
    private static Optional<ModuleDescriptor> layer(String path, long[] shape, boolean downsampler) {
        if (shape.length == 2) {
            return Optional.of(ModuleDescriptor.linear(path, (int) shape[1], (int) shape[0]));
        }
        if (shape.length == 4) {
            int kernel = (int) shape[2];
            int stride = downsampler ? 2 : 1;
            return Optional.of(ModuleDescriptor.conv(path, (int) shape[1], (int) shape[0], kernel, stride,
                    kernel / 2));
        }
        return Optional.empty();
    }

    private static List<String> names(List<LoraModuleSpec> specs) {
        return specs.stream().map(LoraModuleSpec::name).toList();
    }

    private static long[] shape(JsonNode array) {
        return longs(array);
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    private static JsonNode fixture(String name) throws IOException {
        Path file = SharedFixtures.fixtures().resolve("train").resolve(name);
        return new ObjectMapper().readTree(file.toFile());
    }
}
