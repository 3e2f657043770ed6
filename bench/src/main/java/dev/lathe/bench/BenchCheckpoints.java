package dev.lathe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.nn.Weights;
import dev.lathe.nn.clip.ClipTextConfig;
import dev.lathe.nn.clip.ClipTextModel;
import dev.lathe.nn.unet.UNetConfig;
import dev.lathe.nn.unet.UNetModel;
import dev.lathe.nn.vae.AutoencoderKL;
import dev.lathe.nn.vae.VaeConfig;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Checkpoints with deterministic random weights for the benchmarks (BENCHMARK.md): every tensor
 * the product's blocks ask for ({@link Weights#plan()}), in the SD 1.x single-file layout, so that
 * the product loads them as it loads a real checkpoint and the PyTorch scripts read the same file.
 */
final class BenchCheckpoints {

    private BenchCheckpoints() {
    }

    /** The SD 1.5 UNet topology at {@code channels} model channels (128 = "mid", 320 = SD 1.5). */
    static UNetConfig unet(int channels) {
        return new UNetConfig(4, 4, channels, List.of(1, 2, 4, 4), 2, List.of(1, 1, 1, 0), 1, 8, -1, 768, false, 0);
    }

    /** SD 1.5's text encoder: OpenAI CLIP ViT-L/14's text transformer (768 wide, 12 heads, 12 layers, quick GELU). */
    static ClipTextConfig clipVitL() {
        return new ClipTextConfig(49408, 768, 12, 12, 3072, 77, ClipTextConfig.Activation.QUICK_GELU, 1e-5f);
    }

    /**
     * The smallest VAE of SD's layout (32 channels, one level, one ResNet block per level): the
     * sd15 family needs a VAE in the file, training on cached latents never runs it.
     */
    static VaeConfig tinyVae() {
        return new VaeConfig(3, 3, 32, List.of(1), 1, 4, 4);
    }

    /** Every tensor of an SD 1.x single-file checkpoint with these parts, with its shape. */
    static Map<String, long[]> sd15Shapes(UNetConfig unet, ClipTextConfig text, VaeConfig vae) {
        Weights plan = Weights.plan();
        UNetModel.load(plan.at("model.diffusion_model"), unet);
        ClipTextModel.load(plan.at("cond_stage_model.transformer.text_model"), text);
        AutoencoderKL.load(plan.at("first_stage_model"), vae);
        return plan.requested();
    }

    /** The LDM {@code unet_config} metadata the PyTorch scripts build their UNet from. */
    static String ldmConfig(UNetConfig config) throws IOException {
        Map<String, Object> ldm = new LinkedHashMap<>();
        ldm.put("in_channels", config.inChannels());
        ldm.put("out_channels", config.outChannels());
        ldm.put("model_channels", config.modelChannels());
        ldm.put("channel_mult", config.channelMult());
        ldm.put("num_res_blocks", config.numResBlocks());
        ldm.put("transformer_depth", config.transformerDepth());
        ldm.put("num_heads", config.numHeads());
        ldm.put("context_dim", config.contextDim());
        return new ObjectMapper().writeValueAsString(ldm);
    }

    /** The Hugging Face {@code text_config} metadata of a CLIP text encoder. */
    static String hfTextConfig(ClipTextConfig c) throws IOException {
        Map<String, Object> hf = new LinkedHashMap<>();
        hf.put("vocab_size", c.vocabSize());
        hf.put("hidden_size", c.width());
        hf.put("intermediate_size", c.intermediate());
        hf.put("num_hidden_layers", c.layers());
        hf.put("num_attention_heads", c.heads());
        hf.put("max_position_embeddings", c.maxPositions());
        hf.put("hidden_act", "quick_gelu");
        hf.put("layer_norm_eps", c.layerNormEps());
        return new ObjectMapper().writeValueAsString(hf);
    }

    /**
     * Writes {@code shapes} as F32 tensors with deterministic random values: matrices and kernels
     * uniform in ±1/sqrt(fan-in), norm scales 1 ± 0.1, biases ±0.1; each tensor from its own seed
     * (the name's hash), so the file is the same on every machine.
     */
    static void writeRandom(Path file, Map<String, long[]> shapes, Map<String, String> metadata) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            int n = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
            SplittableRandom random = new SplittableRandom(name.hashCode());
            ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(n, 4)).order(ByteOrder.LITTLE_ENDIAN);
            boolean norm = shape.length == 1 && name.endsWith(".weight");
            double scale = shape.length >= 2 ? 1.0 / Math.sqrt((double) n / shape[0]) : 0.1;
            for (int i = 0; i < n; i++) {
                double u = random.nextDouble(-1.0, 1.0) * scale;
                bytes.putFloat((float) (norm ? 1.0 + u : u));
            }
            tensors.put(name, Tensor.of(dev.lathe.safetensors.DType.F32, shape, bytes.flip()));
        }
        SafeTensorsWriter.write(file, tensors, metadata);
    }

    /** Parameters in {@code shapes} whose names start with {@code prefix}. */
    static long parameterCount(Map<String, long[]> shapes, String prefix) {
        return shapes.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(e -> Arrays.stream(e.getValue()).reduce(1, Math::multiplyExact)).sum();
    }
}
