package dev.lathe.sd15;

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
import dev.lathe.text.ByteLevelBpe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A tiny model of the SD 1.5 architecture with deterministic random weights, for trying Lathe
 * out on any machine without downloading a real checkpoint (the quickstart): a single-file
 * checkpoint in the real key layout ({@code model.diffusion_model.*}, {@code first_stage_model.*},
 * {@code cond_stage_model.transformer.text_model.*}) plus a {@code tokenizer/} folder beside it.
 * Everything loads through the same code as a real SD 1.5 file; it makes no meaningful images.
 *
 * <p>Sizes are those of the shared test fixture's tiny model: UNet 32 channels × [1, 2], one
 * ResBlock per level, a transformer at level 0 and in the middle, 2 heads, context 32; VAE
 * 32 channels × [1, 2] (a 64×64 image is a 32×32 latent); text encoder 32 wide, 2 layers, 2 heads,
 * with the small vocabulary of {@link TinyVocabulary} instead of CLIP's 49,408 tokens.
 * About 1.5 M parameters, 6 MB; a training step at 64×64 pixels takes a fraction of a second.
 *
 * <p>Weights are drawn as PyTorch initializes freshly built layers, so that activations keep a
 * sensible scale through the whole network: Linear and Conv2d weights and biases uniform in
 * ±1/√fan-in, GroupNorm and LayerNorm scales 1 and shifts 0, token and position embeddings normal
 * with CLIP's standard deviations (0.02, 0.01). Unlike SD's own initialization, no output
 * projection starts at zero, so gradients reach every layer from the first step. The VAE's
 * log-variance bias is {@value #LOG_VARIANCE_BIAS}, making its posterior nearly deterministic, as
 * a trained VAE's is. Each tensor draws from its own stream, seeded by the seed and the tensor's
 * name, so the same seed gives a byte-identical file on every machine.
 */
public final class TinyCheckpoint {

    /** The checkpoint's file name in the output folder. */
    public static final String CHECKPOINT_FILE = "tiny-sd15.safetensors";
    /** The tokenizer's folder beside the checkpoint, where model loading looks for it. */
    public static final String TOKENIZER_FOLDER = "tokenizer";
    /** The seed {@code lathe make-tiny-model} uses when none is given. */
    public static final long DEFAULT_SEED = 1;

    /** Bias of the VAE's log-variance channels: posterior standard deviation e^-4 ≈ 0.02. */
    static final float LOG_VARIANCE_BIAS = -8f;

    private static final int HEADS = 2;

    private TinyCheckpoint() {
    }

    /** The UNet: the shared fixture's tiny SD 1.5 UNet. */
    public static UNetConfig unet() {
        return new UNetConfig(4, 4, 32, List.of(1, 2), 1, List.of(1, 0), 1, HEADS, -1, 32, false, 0);
    }

    /** The VAE: 2 levels, so latents are half the image size. */
    public static VaeConfig vae() {
        return new VaeConfig(3, 3, 32, List.of(1, 2), 1, 4, 4);
    }

    /** The text encoder, with one embedding row per token of the tiny vocabulary. */
    public static ClipTextConfig text() {
        return text(TinyVocabulary.size());
    }

    private static ClipTextConfig text(int vocabularySize) {
        return new ClipTextConfig(vocabularySize, 32, 2, HEADS, 128, 77, ClipTextConfig.Activation.QUICK_GELU, 1e-5f);
    }

    /**
     * Writes {@value #CHECKPOINT_FILE} and {@value #TOKENIZER_FOLDER}{@code /} ({@code vocab.json},
     * {@code merges.txt}) into {@code folder}, creating it if needed and replacing files of those
     * names (each file is written atomically).
     *
     * @return the checkpoint
     */
    public static Path write(Path folder, long seed) throws IOException {
        Files.createDirectories(folder);
        List<String> merges = TinyVocabulary.merges();
        Map<String, Integer> vocabulary = ByteLevelBpe.clipIds(merges);
        ClipTextConfig text = text(vocabulary.size());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, long[]> layout = layout(text);
        layout.forEach((name, shape) -> tensors.put(name, Tensor.ofFloats(shape, initialValues(name, layout, seed))));
        long[] positions = new long[text.maxPositions()];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = i;
        }
        // real SD 1.x files carry this buffer (int64 0..76); loaders must tolerate it
        tensors.put("cond_stage_model.transformer.text_model.embeddings.position_ids",
                Tensor.ofLongs(new long[] {1, positions.length}, positions));
        Path checkpoint = folder.resolve(CHECKPOINT_FILE);
        SafeTensorsWriter.write(checkpoint, tensors, metadata(seed, text, vocabulary));
        ByteLevelBpe.writeHuggingFace(merges, folder.resolve(TOKENIZER_FOLDER));
        return checkpoint;
    }

    /** Every weight's name and shape, in load order, as the model blocks request them. */
    static Map<String, long[]> layout(ClipTextConfig text) {
        Weights plan = Weights.plan();
        ClipTextModel.load(plan.at("cond_stage_model.transformer.text_model"), text);
        AutoencoderKL.load(plan.at("first_stage_model"), vae());
        UNetModel.load(plan.at("model.diffusion_model"), unet());
        return plan.requested();
    }

    /** The initial values of one tensor of {@code layout} (see the class description). */
    static float[] initialValues(String name, Map<String, long[]> layout, long seed) {
        long[] shape = layout.get(name);
        int n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, (int) d);
        }
        float[] values = new float[n];
        SplittableRandom random = new SplittableRandom(seed ^ fnv1a(name));
        if (name.endsWith("token_embedding.weight") || name.endsWith("position_embedding.weight")) {
            double std = name.endsWith("token_embedding.weight") ? 0.02 : 0.01;
            for (int i = 0; i < n; i++) {
                values[i] = (float) (std * gaussian(random));
            }
        } else if (shape.length >= 2) {
            uniform(values, random, 1 / Math.sqrt((double) n / shape[0]));
        } else if (name.endsWith(".bias") && fanIn(name, layout) > 0) {
            uniform(values, random, 1 / Math.sqrt(fanIn(name, layout)));
            if (name.equals("first_stage_model.quant_conv.bias")) {
                for (int i = values.length / 2; i < values.length; i++) {
                    values[i] += LOG_VARIANCE_BIAS; // the second half of the moments is the log-variance
                }
            }
        } else if (name.endsWith(".weight")) {
            Arrays.fill(values, 1f); // a norm's scale
        } // else a norm's shift: 0
        return values;
    }

    /** The fan-in of the Linear or Conv2d layer a bias belongs to, or 0 for a norm's bias. */
    private static int fanIn(String bias, Map<String, long[]> layout) {
        String weight = bias.substring(0, bias.length() - "bias".length()) + "weight";
        long[] shape = layout.get(weight);
        if (shape == null || shape.length < 2) {
            return 0;
        }
        int fanIn = 1;
        for (int i = 1; i < shape.length; i++) {
            fanIn *= (int) shape[i];
        }
        return fanIn;
    }

    private static void uniform(float[] values, SplittableRandom random, double bound) {
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
    }

    /** A standard normal draw by the Box-Muller transform (the same on every Java version). */
    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble(); // (0, 1]: log is finite
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /** 64-bit FNV-1a of the name's UTF-8 bytes: a per-tensor seed that never changes. */
    private static long fnv1a(String name) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return hash;
    }

    /**
     * The architecture in the metadata keys the shared fixture uses ({@code unet_config} as LDM's
     * yaml names it, {@code vae_config}, {@code text_config} as HF's), which the sd15 family reads
     * for the settings the tensors do not show (the head counts).
     */
    private static Map<String, String> metadata(long seed, ClipTextConfig text, Map<String, Integer> vocabulary)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        UNetConfig u = unet();
        Map<String, Object> unetConfig = new LinkedHashMap<>();
        unetConfig.put("in_channels", u.inChannels());
        unetConfig.put("out_channels", u.outChannels());
        unetConfig.put("model_channels", u.modelChannels());
        unetConfig.put("channel_mult", u.channelMult());
        unetConfig.put("num_res_blocks", u.numResBlocks());
        unetConfig.put("attention_resolutions", List.of(1));
        unetConfig.put("num_heads", u.numHeads());
        unetConfig.put("num_head_channels", -1);
        unetConfig.put("transformer_depth", 1);
        unetConfig.put("context_dim", u.contextDim());
        unetConfig.put("use_linear_in_transformer", u.linearProjection());
        VaeConfig v = vae();
        Map<String, Object> ddconfig = new LinkedHashMap<>();
        ddconfig.put("double_z", true);
        ddconfig.put("z_channels", v.zChannels());
        ddconfig.put("in_channels", v.inChannels());
        ddconfig.put("out_ch", v.outChannels());
        ddconfig.put("ch", v.ch());
        ddconfig.put("ch_mult", v.chMult());
        ddconfig.put("num_res_blocks", v.numResBlocks());
        ddconfig.put("attn_resolutions", List.of());
        Map<String, Object> textConfig = new LinkedHashMap<>();
        textConfig.put("vocab_size", text.vocabSize());
        textConfig.put("hidden_size", text.width());
        textConfig.put("intermediate_size", text.intermediate());
        textConfig.put("num_hidden_layers", text.layers());
        textConfig.put("num_attention_heads", text.heads());
        textConfig.put("max_position_embeddings", text.maxPositions());
        textConfig.put("hidden_act", text.activation().hfName());
        textConfig.put("layer_norm_eps", 1e-5);
        textConfig.put("bos_token_id", vocabulary.get("<|startoftext|>"));
        textConfig.put("eos_token_id", vocabulary.get("<|endoftext|>"));
        textConfig.put("pad_token_id", vocabulary.get("<|endoftext|>"));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("generator", "lathe make-tiny-model");
        metadata.put("seed", Long.toString(seed));
        metadata.put("description", "A tiny model of the SD 1.5 architecture with random weights, for trying Lathe "
                + "out; it makes no meaningful images. Its tokenizer is in the tokenizer/ folder beside it.");
        metadata.put("unet_config", json.writeValueAsString(unetConfig));
        Map<String, Object> vaeConfig = new LinkedHashMap<>();
        vaeConfig.put("embed_dim", v.embedDim());
        vaeConfig.put("ddconfig", ddconfig);
        metadata.put("vae_config", json.writeValueAsString(vaeConfig));
        metadata.put("text_config", json.writeValueAsString(textConfig));
        return metadata;
    }
}
