package dev.lathe.sd15;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.Recognition;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.Tensor;
import dev.lathe.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tiny checkpoint written out as a diffusers folder ({@code unet/}, {@code vae/},
 * {@code text_encoder/} with diffusers names and {@code config.json} files, as diffusers' own
 * conversion script lays it out) loads and computes every fixture output. UNet names come from
 * the fixture's {@code unet_ldm_to_diffusers_keys.json}; the VAE and text-encoder names from the
 * rules below, written independently of the loader's mapping.
 */
class Sd15DiffusersFolderTest {

    @TempDir
    Path temp;

    /** @param legacyAttention VAE attention named {@code query/key/value/proj_attn} (diffusers before 0.14) */
    static Path writeDiffusersFolder(Path folder, boolean legacyAttention) throws IOException {
        Map<String, Tensor> tiny = Fixtures.tensors(Fixtures.tiny());
        JsonNode unetNames = Fixtures.json(Fixtures.resource("unet_ldm_to_diffusers_keys.json"));
        Map<String, Tensor> unet = new LinkedHashMap<>();
        Map<String, Tensor> vae = new LinkedHashMap<>();
        Map<String, Tensor> text = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tiny.entrySet()) {
            String name = e.getKey();
            if (name.startsWith("model.diffusion_model.")) {
                unet.put(unetNames.get(name).asText(), e.getValue());
            } else if (name.startsWith("first_stage_model.")) {
                Tensor t = e.getValue();
                String d = vaeName(name.substring("first_stage_model.".length()), legacyAttention);
                if (d.contains("mid_block.attentions.0.") && d.endsWith("weight") && t.shape().length == 4) {
                    long[] s = t.shape();
                    t = Rewrite.reshaped(t, s[0], s[1]); // diffusers keeps these as Linear weights
                }
                vae.put(d, t);
            } else if (name.startsWith("cond_stage_model.transformer.")) {
                text.put(name.substring("cond_stage_model.transformer.".length()), e.getValue());
            }
        }
        Files.createDirectories(folder.resolve("unet"));
        Files.createDirectories(folder.resolve("vae"));
        Files.createDirectories(folder.resolve("text_encoder"));
        Rewrite.write(folder.resolve("unet/diffusion_pytorch_model.safetensors"), unet, Map.of("format", "pt"));
        Rewrite.write(folder.resolve("vae/diffusion_pytorch_model.safetensors"), vae, Map.of("format", "pt"));
        Rewrite.write(folder.resolve("text_encoder/model.safetensors"), text, Map.of("format", "pt"));
        Files.writeString(folder.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionPipeline\"}\n");
        Files.writeString(folder.resolve("unet/config.json"), "{\"_class_name\": \"UNet2DConditionModel\", "
                + "\"attention_head_dim\": 2, \"block_out_channels\": [32, 64], \"cross_attention_dim\": 32, "
                + "\"layers_per_block\": 1, \"in_channels\": 4, \"out_channels\": 4}\n");
        Files.writeString(folder.resolve("vae/config.json"), "{\"_class_name\": \"AutoencoderKL\", "
                + "\"block_out_channels\": [32, 64], \"latent_channels\": 4, \"layers_per_block\": 1}\n");
        Files.writeString(folder.resolve("text_encoder/config.json"), "{\"architectures\": [\"CLIPTextModel\"], "
                + "\"hidden_act\": \"quick_gelu\", \"hidden_size\": 32, \"intermediate_size\": 128, "
                + "\"num_attention_heads\": 2, \"num_hidden_layers\": 2, \"layer_norm_eps\": 1e-05}\n");
        return folder;
    }

    private static final Pattern DOWN = Pattern.compile("encoder\\.down\\.(\\d+)\\.(block\\.(\\d+)|downsample)\\.(.*)");
    private static final Pattern UP = Pattern.compile("decoder\\.up\\.(\\d+)\\.(block\\.(\\d+)|upsample)\\.(.*)");
    private static final Pattern MID = Pattern.compile("(encoder|decoder)\\.mid\\.(block_1|block_2|attn_1)\\.(.*)");

    /** diffusers' VAE name of an LDM VAE name (levels: 2). */
    static String vaeName(String ldm, boolean legacy) {
        Matcher m = DOWN.matcher(ldm);
        if (m.matches()) {
            String inner = m.group(3) != null ? "resnets." + m.group(3) : "downsamplers.0";
            return "encoder.down_blocks." + m.group(1) + "." + inner + "." + m.group(4).replace("nin_shortcut", "conv_shortcut");
        }
        m = UP.matcher(ldm);
        if (m.matches()) {
            String inner = m.group(3) != null ? "resnets." + m.group(3) : "upsamplers.0";
            return "decoder.up_blocks." + (1 - Integer.parseInt(m.group(1))) + "." + inner + "."
                    + m.group(4).replace("nin_shortcut", "conv_shortcut");
        }
        m = MID.matcher(ldm);
        if (m.matches()) {
            String rest = m.group(3);
            String part = switch (m.group(2)) {
                case "block_1" -> "resnets.0." + rest;
                case "block_2" -> "resnets.1." + rest;
                default -> "attentions.0." + rest.replaceFirst("^norm\\.", "group_norm.")
                        .replaceFirst("^q\\.", legacy ? "query." : "to_q.")
                        .replaceFirst("^k\\.", legacy ? "key." : "to_k.")
                        .replaceFirst("^v\\.", legacy ? "value." : "to_v.")
                        .replaceFirst("^proj_out\\.", legacy ? "proj_attn." : "to_out.0.");
            };
            return m.group(1) + ".mid_block." + part;
        }
        return ldm.replace("encoder.norm_out.", "encoder.conv_norm_out.").replace("decoder.norm_out.", "decoder.conv_norm_out.");
    }

    @ParameterizedTest(name = "legacy VAE attention names: {0}")
    @ValueSource(booleans = {false, true})
    void diffusersFolderComputesTheFixtureOutputs(boolean legacy) throws IOException {
        Path folder = writeDiffusersFolder(temp.resolve("tiny-diffusers"), legacy);
        Map<String, double[]> tolerances = Fixtures.tolerances();
        try (Sd15Model model = Sd15Model.load(folder, LoadOptions.cpuFloat32())) {
            assertEquals("diffusers folder", model.spec().layout());
            assertEquals(2, model.spec().unet().numHeads(), "heads from unet/config.json");
            assertTrue(model.layers().containsKey("model.diffusion_model.input_blocks.1.1.proj_in"),
                    "layers keep canonical names");
            for (dev.lathe.api.model.LoraTarget t : model.loraTargets(new dev.lathe.api.model.LoraScope(true, true, true))) {
                assertNotNull(model.layers().get(t.weightKey().replaceFirst("\\.weight$", "")), t.weightKey());
            }
            Map<String, float[]> actual = Sd15ParityTest.computeAll(model);
            tolerances.forEach((key, t) -> {
                if (!key.startsWith("unet_lora_expected")) {
                    assertNotNull(actual.get(key), key);
                    Fixtures.assertClose(key, Sd15ParityTest.expected(key), actual.get(key), t[0], t[1]);
                }
            });
        }
    }

    @Test
    void recognizedFromTheFolderHeaders() throws IOException {
        Path folder = writeDiffusersFolder(temp.resolve("d"), false);
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (String component : new String[] {"unet", "vae", "text_encoder"}) {
            Path file = Files.list(folder.resolve(component)).filter(p -> p.toString().endsWith(".safetensors")).findFirst().orElseThrow();
            SafeTensorsFile.readHeader(file).forEach((k, v) -> tensors.put(component + "/" + k, v));
            metadata.put(component + "/config.json", Files.readString(folder.resolve(component + "/config.json")));
        }
        Recognition r = new Sd15Family().recognize(tensors, metadata);
        assertTrue(r.recognized(), r.reason());
        assertEquals("SD 1.x", r.variant());
        assertEquals("diffusers folder", r.architecture().get("layout"));
        assertEquals("2 heads (config.json)", r.architecture().get("unet.heads"));
    }
}
