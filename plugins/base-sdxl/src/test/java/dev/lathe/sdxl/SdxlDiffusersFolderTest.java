package dev.lathe.sdxl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.Recognition;
import dev.lathe.lora.LoraFile;
import dev.lathe.lora.ModelLoras;
import dev.lathe.nn.unet.DiffusersUnetKeys;
import dev.lathe.nn.vae.DiffusersVaeKeys;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.Tensor;
import dev.lathe.safetensors.TensorInfo;
import dev.lathe.testing.CheckpointRewrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny checkpoint written out as a diffusers SDXL folder ({@code unet/}, {@code vae/},
 * {@code text_encoder/}, {@code text_encoder_2/} as {@code CLIPTextModelWithProjection}, with
 * {@code config.json} files) loads and computes every fixture output. Text encoder 2's conversion
 * from OpenCLIP is written here from the fixture README's table, independently of the loader's.
 */
class SdxlDiffusersFolderTest {

    private static final String OPEN = "conditioner.embedders.1.model.";
    private static final Pattern RESBLOCK = Pattern.compile(Pattern.quote(OPEN) + "transformer\\.resblocks\\.(\\d+)\\.(.+)");
    private static final Map<String, String> LAYER = Map.of(
            "ln_1", "layer_norm1", "ln_2", "layer_norm2", "attn.out_proj", "self_attn.out_proj",
            "mlp.c_fc", "mlp.fc1", "mlp.c_proj", "mlp.fc2");

    @TempDir
    Path temp;

    static Path writeDiffusersFolder(Path folder) throws IOException {
        Map<String, Tensor> tiny = CheckpointRewrite.read(Fixtures.tiny());
        Map<String, Tensor> unet = new LinkedHashMap<>();
        Map<String, Tensor> vae = new LinkedHashMap<>();
        Map<String, Tensor> te1 = new LinkedHashMap<>();
        Map<String, Tensor> te2 = new LinkedHashMap<>();
        int width = (int) tiny.get(OPEN + "token_embedding.weight").shape()[1];
        for (Map.Entry<String, Tensor> e : tiny.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name.startsWith("model.diffusion_model.")) {
                unet.put(DiffusersUnetKeys.toDiffusers(name.substring("model.diffusion_model.".length()), 1, true), t);
            } else if (name.startsWith("first_stage_model.")) {
                String d = DiffusersVaeKeys.toDiffusers(name.substring("first_stage_model.".length()), 2);
                if (d.contains("mid_block.attentions.0.") && d.endsWith("weight") && t.shape().length == 4) {
                    t = CheckpointRewrite.reshaped(t, t.shape()[0], t.shape()[1]); // Linear weights in diffusers
                }
                vae.put(d, t);
            } else if (name.startsWith("conditioner.embedders.0.transformer.")) {
                te1.put(name.substring("conditioner.embedders.0.transformer.".length()), t);
            } else if (name.startsWith(OPEN)) {
                openClipToHf(name, t, width, te2);
            }
        }
        write(folder, "unet", "diffusion_pytorch_model.safetensors", unet, "{\"_class_name\": \"UNet2DConditionModel\", "
                + "\"attention_head_dim\": [2, 4, 4], \"block_out_channels\": [32, 64, 64], \"cross_attention_dim\": 80, "
                + "\"layers_per_block\": 1, \"addition_embed_type\": \"text_time\", \"projection_class_embeddings_input_dim\": 1600}");
        write(folder, "vae", "diffusion_pytorch_model.safetensors", vae, "{\"_class_name\": \"AutoencoderKL\", "
                + "\"block_out_channels\": [32, 64], \"latent_channels\": 4, \"scaling_factor\": 0.13025}");
        write(folder, "text_encoder", "model.safetensors", te1, "{\"architectures\": [\"CLIPTextModel\"], "
                + "\"hidden_act\": \"quick_gelu\", \"hidden_size\": 32, \"num_attention_heads\": 2, \"num_hidden_layers\": 3}");
        write(folder, "text_encoder_2", "model.safetensors", te2, "{\"architectures\": [\"CLIPTextModelWithProjection\"], "
                + "\"hidden_act\": \"gelu\", \"hidden_size\": 48, \"num_attention_heads\": 4, \"num_hidden_layers\": 3, "
                + "\"projection_dim\": 64}");
        Files.writeString(folder.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionXLPipeline\"}\n");
        return folder;
    }

    /** One OpenCLIP tensor of text encoder 2 under its {@code CLIPTextModelWithProjection} name(s). */
    private static void openClipToHf(String name, Tensor t, int width, Map<String, Tensor> out) {
        Matcher m = RESBLOCK.matcher(name);
        if (m.matches()) {
            String layer = "text_model.encoder.layers." + m.group(1) + ".";
            String part = m.group(2);
            if (part.startsWith("attn.in_proj_")) {
                String suffix = part.endsWith("weight") ? ".weight" : ".bias";
                out.put(layer + "self_attn.q_proj" + suffix, CheckpointRewrite.rows(t, 0, width));
                out.put(layer + "self_attn.k_proj" + suffix, CheckpointRewrite.rows(t, width, 2L * width));
                out.put(layer + "self_attn.v_proj" + suffix, CheckpointRewrite.rows(t, 2L * width, 3L * width));
                return;
            }
            String module = part.substring(0, part.lastIndexOf('.'));
            out.put(layer + LAYER.get(module) + part.substring(module.length()), t);
            return;
        }
        switch (name.substring(OPEN.length())) {
            case "token_embedding.weight" -> out.put("text_model.embeddings.token_embedding.weight", t);
            case "positional_embedding" -> out.put("text_model.embeddings.position_embedding.weight", t);
            case "ln_final.weight" -> out.put("text_model.final_layer_norm.weight", t);
            case "ln_final.bias" -> out.put("text_model.final_layer_norm.bias", t);
            case "text_projection" -> out.put("text_projection.weight", CheckpointRewrite.transposed(t));
            default -> { } // logit_scale: not part of the text model
        }
    }

    private static void write(Path folder, String component, String file, Map<String, Tensor> tensors, String config)
            throws IOException {
        Files.createDirectories(folder.resolve(component));
        CheckpointRewrite.write(folder.resolve(component).resolve(file), tensors, Map.of("format", "pt"));
        Files.writeString(folder.resolve(component).resolve("config.json"), config + "\n");
    }

    @Test
    void diffusersFolderComputesTheFixtureOutputs() throws IOException {
        Path folder = writeDiffusersFolder(temp.resolve("tiny-diffusers"));
        try (SdxlModel model = SdxlModel.load(folder, LoadOptions.cpuFloat32())) {
            assertEquals("diffusers folder", model.spec().layout());
            assertEquals("CLIP (HF layout)", model.spec().te2Layout());
            assertEquals(16, model.spec().unet().headChannels(), "heads from unet/config.json");
            assertEquals(4, model.spec().te2().heads(), "from text_encoder_2/config.json");
            SdxlParityTest.assertAllMatch(SdxlParityTest.computeAll(model));
            assertEquals(model.loraTargets(dev.lathe.api.model.LoraScope.defaults()),
                    new SdxlFamily().loraTargets(SafeTensorsFile.readHeader(Fixtures.tiny()), dev.lathe.api.model.LoraScope.defaults()),
                    "the same canonical layer names as the single file");
            assertEquals(36, ModelLoras.forFile(model, LoraFile.read(Fixtures.resource("lora_te.safetensors"))).size());
        }
    }

    @Test
    void recognizedFromTheFolderHeaders() throws IOException {
        Path folder = writeDiffusersFolder(temp.resolve("d"));
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (String component : new String[] {"unet", "vae", "text_encoder", "text_encoder_2"}) {
            try (var files = Files.list(folder.resolve(component))) {
                Path file = files.filter(p -> p.toString().endsWith(".safetensors")).findFirst().orElseThrow();
                SafeTensorsFile.readHeader(file).forEach((k, v) -> tensors.put(component + "/" + k, v));
            }
            metadata.put(component + "/config.json", Files.readString(folder.resolve(component + "/config.json")));
        }
        Recognition r = new SdxlFamily().recognize(tensors, metadata);
        assertTrue(r.recognized(), r.reason());
        assertEquals("diffusers folder", r.architecture().get("layout"));
        assertEquals("16 channels per head (config.json)", r.architecture().get("unet.heads"));
        assertEquals("CLIP (HF layout)", r.architecture().get("te2.layout"));
    }
}
