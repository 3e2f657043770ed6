package dev.lathe.sd15;

import static dev.lathe.sd15.Sd15Layout.TEXT;
import static dev.lathe.sd15.Sd15Layout.UNET;
import static dev.lathe.sd15.Sd15Layout.VAE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.nn.clip.ClipTextConfig;
import dev.lathe.nn.unet.UNetConfig;
import dev.lathe.nn.vae.VaeConfig;
import dev.lathe.safetensors.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Infers an SD 1.x/2.x architecture from the canonical tensor names and shapes. Only a few
 * "anchor" tensors are read here (conv_in, the first conv of each level, counts of numbered
 * blocks); loading then checks every tensor against the inferred architecture.
 *
 * <p>Two settings are not in the tensors: the UNet's attention heads and the text encoder's heads
 * (and activation). They come from the metadata when it has them ({@code unet_config} /
 * {@code text_config} in a single file's {@code __metadata__} as LDM resp. HF config JSON, or a
 * diffusers folder's {@code unet/config.json}, {@code text_encoder/config.json}), else from the
 * conventions of the released models: SD 1.x (context 768) has 8 heads per transformer, SD 2.x
 * (context 1024) 64-channel heads; CLIP text encoders have 64-channel heads, OpenAI's ViT-L
 * (width 768) quick GELU, the OpenCLIP models GELU.
 */
final class ArchitectureInference {

    /** The outcome: an architecture, or why there is none. */
    record Result(Sd15Architecture architecture, String problem) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, TensorInfo> t;
    private final Map<String, String> metadata;
    private final List<String> missing = new ArrayList<>();
    /** Where the UNet head count came from, for the architecture report. */
    private String headsSource = "convention";

    private ArchitectureInference(Map<String, TensorInfo> canonical, Map<String, String> metadata) {
        this.t = canonical;
        this.metadata = metadata == null ? Map.of() : metadata;
    }

    static Result infer(Map<String, TensorInfo> canonical, Map<String, String> metadata, boolean diffusers,
                        boolean openClip) {
        return new ArchitectureInference(canonical, metadata).run(diffusers, openClip);
    }

    private Result run(boolean diffusers, boolean openClip) {
        List<String> absent = new ArrayList<>();
        if (!hasPrefix(UNET)) {
            absent.add(diffusers ? "UNet (unet/)" : "UNet (model.diffusion_model.*)");
        }
        if (!hasPrefix(VAE)) {
            absent.add(diffusers ? "VAE (vae/)" : "VAE (first_stage_model.*)");
        }
        if (!hasPrefix(TEXT)) {
            absent.add(diffusers ? "text encoder (text_encoder/)" : "text encoder (cond_stage_model.*)");
        }
        if (!absent.isEmpty()) {
            return new Result(null, "it has no " + String.join(", no ", absent) + "; the sd15 family needs all three "
                    + "parts of a Stable Diffusion checkpoint");
        }
        UNetConfig unet = unet();
        VaeConfig vae = vae();
        ClipTextConfig text = text(openClip);
        if (!missing.isEmpty()) {
            return new Result(null, "tensors the architecture is read from are missing or malformed: "
                    + String.join(", ", missing));
        }
        boolean sd2 = openClip || unet.contextDim() == 1024;
        String variant = sd2 ? "SD 2.x" : unet.inChannels() == 9 ? "SD 1.x inpainting" : "SD 1.x";
        String layout = diffusers ? "diffusers folder" : "single file";
        String textLayout = openClip ? "OpenCLIP (fused in_proj)" : "CLIP (HF layout)";
        int clipSkip = openClip ? 2 : 1;
        return new Result(new Sd15Architecture(variant, layout, sd2 ? "v" : "epsilon", unet, vae, text, textLayout,
                clipSkip, headsSource), null);
    }

    // ---------------------------------------------------------------- UNet

    private UNetConfig unet() {
        long[] convIn = shape(UNET + "input_blocks.0.0.weight", 4);
        long[] out = shape(UNET + "out.2.weight", 4);
        if (convIn == null || out == null) {
            return null;
        }
        int mc = (int) convIn[0];
        int blocks = maxIndex(UNET + "input_blocks\\.(\\d+)\\..*") + 1;
        List<Integer> downsamples = new ArrayList<>();
        for (int k = 1; k < blocks; k++) {
            if (t.containsKey(UNET + "input_blocks." + k + ".0.op.weight")) {
                downsamples.add(k);
            }
        }
        int r = downsamples.isEmpty() ? blocks - 1 : downsamples.get(0) - 1;
        int levels = downsamples.size() + 1;
        if (r < 1 || blocks != 1 + levels * r + (levels - 1)) {
            missing.add(UNET + "input_blocks.* (" + blocks + " blocks, downsamplers at " + downsamples
                    + ": not a UNet layout this family knows)");
            return null;
        }
        List<Integer> mult = new ArrayList<>();
        List<Integer> depth = new ArrayList<>();
        long context = -1;
        Boolean linear = null;
        for (int level = 0; level < levels; level++) {
            String block = UNET + "input_blocks." + (1 + level * (r + 1)) + ".";
            long[] conv = shape(block + "0.in_layers.2.weight", 4);
            if (conv == null) {
                return null;
            }
            if (conv[0] % mc != 0) {
                missing.add(block + "0.in_layers.2.weight (channels " + conv[0] + " not a multiple of " + mc + ")");
                return null;
            }
            mult.add((int) (conv[0] / mc));
            int d = maxIndex(Pattern.quote(block) + "1\\.transformer_blocks\\.(\\d+)\\..*") + 1;
            depth.add(d);
            if (d > 0 && context < 0) {
                long[] toK = shape(block + "1.transformer_blocks.0.attn2.to_k.weight", 2);
                TensorInfo projIn = t.get(block + "1.proj_in.weight");
                if (toK == null || projIn == null) {
                    missing.add(block + "1.proj_in.weight");
                    return null;
                }
                context = toK[1];
                linear = projIn.rank() == 2;
            }
        }
        int middle = maxIndex(Pattern.quote(UNET + "middle_block.1.transformer_blocks.") + "(\\d+)\\..*") + 1;
        if (context < 0) {
            TensorInfo toK = t.get(UNET + "middle_block.1.transformer_blocks.0.attn2.to_k.weight");
            context = toK == null || toK.rank() != 2 ? 768 : toK.shape()[1];
            TensorInfo projIn = t.get(UNET + "middle_block.1.proj_in.weight");
            linear = projIn != null && projIn.rank() == 2;
        }
        int[] heads = unetHeads(mc, mult, (int) context);
        try {
            return new UNetConfig((int) convIn[1], (int) out[0], mc, mult, r, depth, middle, heads[0], heads[1],
                    (int) context, Boolean.TRUE.equals(linear), 0);
        } catch (IllegalArgumentException e) {
            missing.add("UNet (" + e.getMessage() + ")");
            return null;
        }
    }

    /** {numHeads, headChannels}, one of them -1. */
    private int[] unetHeads(int mc, List<Integer> mult, int context) {
        JsonNode ldm = json("unet_config");
        if (ldm != null) {
            int heads = ldm.path("num_heads").asInt(-1);
            int width = ldm.path("num_head_channels").asInt(-1);
            if (width > 0) {
                headsSource = "metadata";
                return new int[] {-1, width};
            }
            if (heads > 0) {
                headsSource = "metadata";
                return new int[] {heads, -1};
            }
        }
        JsonNode diffusers = json("unet/config.json");
        if (diffusers != null) {
            // diffusers' SD 1.x/2.x configs keep the head count in attention_head_dim (a naming quirk)
            JsonNode heads = diffusers.hasNonNull("num_attention_heads") ? diffusers.get("num_attention_heads")
                    : diffusers.get("attention_head_dim");
            if (heads != null && heads.isInt() && heads.asInt() > 0) {
                headsSource = "config.json";
                return new int[] {heads.asInt(), -1};
            }
            if (heads != null && heads.isArray() && heads.size() == mult.size()) {
                int width = -1;
                boolean sameWidth = true;
                for (int level = 0; level < mult.size(); level++) {
                    int h = heads.get(level).asInt(1);
                    int w = mc * mult.get(level) / Math.max(h, 1);
                    sameWidth &= width < 0 || w == width;
                    width = w;
                }
                if (sameWidth && width > 0) {
                    headsSource = "config.json";
                    return new int[] {-1, width};
                }
            }
        }
        headsSource = context == 1024 ? "SD 2.x convention" : "SD 1.x convention";
        return context == 1024 ? new int[] {-1, 64} : new int[] {8, -1};
    }

    // ---------------------------------------------------------------- VAE

    private VaeConfig vae() {
        long[] convIn = shape(VAE + "encoder.conv_in.weight", 4);
        long[] convOut = shape(VAE + "encoder.conv_out.weight", 4);
        long[] quant = shape(VAE + "quant_conv.weight", 4);
        long[] decoderOut = shape(VAE + "decoder.conv_out.weight", 4);
        if (convIn == null || convOut == null || quant == null || decoderOut == null) {
            return null;
        }
        int ch = (int) convIn[0];
        int levels = maxIndex(Pattern.quote(VAE + "encoder.down.") + "(\\d+)\\..*") + 1;
        int r = maxIndex(Pattern.quote(VAE + "encoder.down.0.block.") + "(\\d+)\\..*") + 1;
        if (levels < 1 || r < 1) {
            missing.add(VAE + "encoder.down.0.block.0.*");
            return null;
        }
        List<Integer> mult = new ArrayList<>();
        for (int i = 0; i < levels; i++) {
            long[] conv = shape(VAE + "encoder.down." + i + ".block.0.conv1.weight", 4);
            if (conv == null) {
                return null;
            }
            mult.add((int) (conv[0] / ch));
        }
        return new VaeConfig((int) convIn[1], (int) decoderOut[0], ch, mult, r, (int) convOut[0] / 2, (int) quant[0] / 2);
    }

    // ---------------------------------------------------------------- text encoder

    private ClipTextConfig text(boolean openClip) {
        long[] tokens = shape(TEXT + "embeddings.token_embedding.weight", 2);
        long[] positions = shape(TEXT + "embeddings.position_embedding.weight", 2);
        long[] fc1 = shape(TEXT + "encoder.layers.0.mlp.fc1.weight", 2);
        if (tokens == null || positions == null || fc1 == null) {
            return null;
        }
        int width = (int) tokens[1];
        int layers = maxIndex(Pattern.quote(TEXT + "encoder.layers.") + "(\\d+)\\..*") + 1;
        JsonNode config = json("text_config");
        if (config == null) {
            config = json("text_encoder/config.json");
        }
        int heads = config != null && config.path("num_attention_heads").asInt(-1) > 0
                ? config.get("num_attention_heads").asInt() : Math.max(1, width / 64);
        ClipTextConfig.Activation activation = config == null ? null
                : ClipTextConfig.Activation.fromHfName(config.path("hidden_act").asText(""));
        if (activation == null) {
            activation = !openClip && width == 768 ? ClipTextConfig.Activation.QUICK_GELU : ClipTextConfig.Activation.GELU;
        }
        float eps = config != null && config.has("layer_norm_eps") ? (float) config.get("layer_norm_eps").asDouble() : 1e-5f;
        try {
            return new ClipTextConfig((int) tokens[0], width, layers, heads, (int) fc1[0], (int) positions[0], activation, eps);
        } catch (IllegalArgumentException e) {
            missing.add("text encoder (" + e.getMessage() + ")");
            return null;
        }
    }

    // ---------------------------------------------------------------- helpers

    private boolean hasPrefix(String prefix) {
        return t.keySet().stream().anyMatch(n -> n.startsWith(prefix));
    }

    /** The shape of {@code name} if it exists with {@code rank} dimensions; else records it and returns null. */
    private long[] shape(String name, int rank) {
        TensorInfo info = t.get(name);
        if (info == null || info.rank() != rank) {
            missing.add(info == null ? name : name + " (rank " + info.rank() + ", expected " + rank + ")");
            return null;
        }
        return info.shape();
    }

    /** The largest number captured by group 1 of {@code regex} over all names, or -1. */
    private int maxIndex(String regex) {
        Pattern p = Pattern.compile(regex);
        int max = -1;
        for (String name : t.keySet()) {
            Matcher m = p.matcher(name);
            if (m.matches()) {
                max = Math.max(max, Integer.parseInt(m.group(1)));
            }
        }
        return max;
    }

    private JsonNode json(String key) {
        String text = metadata.get(key);
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (Exception e) {
            return null; // unreadable metadata: fall back to the conventions
        }
    }
}
