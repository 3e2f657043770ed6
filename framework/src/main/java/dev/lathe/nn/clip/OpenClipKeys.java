package dev.lathe.nn.clip;

import dev.lathe.nn.RemappedSource;
import dev.lathe.nn.WeightSource;
import dev.lathe.safetensors.TensorInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Presents an OpenCLIP text transformer (SD 2.x {@code cond_stage_model.model.*}, SDXL
 * {@code conditioner.embedders.1.model.*}) under the Hugging Face names {@link ClipTextModel}
 * loads, zero-copy:
 *
 * <table>
 * <caption>OpenCLIP → HF (below the given prefixes)</caption>
 * <tr><td>{@code token_embedding.weight}</td><td>{@code embeddings.token_embedding.weight}</td></tr>
 * <tr><td>{@code positional_embedding}</td><td>{@code embeddings.position_embedding.weight}</td></tr>
 * <tr><td>{@code transformer.resblocks.i.ln_1}</td><td>{@code encoder.layers.i.layer_norm1}</td></tr>
 * <tr><td>{@code ...attn.in_proj_weight} rows [0,W) / [W,2W) / [2W,3W)</td><td>{@code self_attn.q_proj / k_proj / v_proj .weight}</td></tr>
 * <tr><td>{@code ...attn.in_proj_bias} the same rows</td><td>{@code self_attn.q_proj / k_proj / v_proj .bias}</td></tr>
 * <tr><td>{@code ...attn.out_proj}</td><td>{@code self_attn.out_proj}</td></tr>
 * <tr><td>{@code ...ln_2}, {@code mlp.c_fc}, {@code mlp.c_proj}</td><td>{@code layer_norm2}, {@code mlp.fc1}, {@code mlp.fc2}</td></tr>
 * <tr><td>{@code ln_final}</td><td>{@code final_layer_norm}</td></tr>
 * </table>
 * {@code text_projection} ({@code [W, P]}, used as {@code x @ text_projection}) and
 * {@code logit_scale} are not part of the text transformer and keep their names (SDXL's pooled
 * output multiplies by it). OpenCLIP text models use exact GELU.
 */
public final class OpenClipKeys {

    private static final Pattern RESBLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\.(.+)");
    private static final Pattern HF_LAYER = Pattern.compile("encoder\\.layers\\.(\\d+)\\.(.+)");

    private static final Map<String, String> LAYER_PARTS = new LinkedHashMap<>();

    static {
        LAYER_PARTS.put("ln_1.weight", "layer_norm1.weight");
        LAYER_PARTS.put("ln_1.bias", "layer_norm1.bias");
        LAYER_PARTS.put("attn.out_proj.weight", "self_attn.out_proj.weight");
        LAYER_PARTS.put("attn.out_proj.bias", "self_attn.out_proj.bias");
        LAYER_PARTS.put("ln_2.weight", "layer_norm2.weight");
        LAYER_PARTS.put("ln_2.bias", "layer_norm2.bias");
        LAYER_PARTS.put("mlp.c_fc.weight", "mlp.fc1.weight");
        LAYER_PARTS.put("mlp.c_fc.bias", "mlp.fc1.bias");
        LAYER_PARTS.put("mlp.c_proj.weight", "mlp.fc2.weight");
        LAYER_PARTS.put("mlp.c_proj.bias", "mlp.fc2.bias");
    }

    private OpenClipKeys() {
    }

    /**
     * The OpenCLIP tensors below {@code openClipPrefix} (e.g. {@code cond_stage_model.model.}) as
     * HF-named tensors below {@code hfPrefix} (e.g. {@code cond_stage_model.transformer.text_model.}).
     * The width comes from {@code token_embedding.weight}; layers are those present.
     */
    public static RemappedSource asHuggingFace(WeightSource source, String openClipPrefix, String hfPrefix) {
        RemappedSource.Builder b = RemappedSource.builder(source);
        TensorInfo tokens = source.info(openClipPrefix + "token_embedding.weight");
        long width = tokens == null ? -1 : tokens.shape()[1];
        b.rename(hfPrefix + "embeddings.token_embedding.weight", openClipPrefix + "token_embedding.weight");
        b.rename(hfPrefix + "embeddings.position_embedding.weight", openClipPrefix + "positional_embedding");
        b.rename(hfPrefix + "final_layer_norm.weight", openClipPrefix + "ln_final.weight");
        b.rename(hfPrefix + "final_layer_norm.bias", openClipPrefix + "ln_final.bias");
        for (String name : source.names()) {
            if (!name.startsWith(openClipPrefix)) {
                continue;
            }
            Matcher m = RESBLOCK.matcher(name.substring(openClipPrefix.length()));
            if (!m.matches()) {
                continue;
            }
            String layer = hfPrefix + "encoder.layers." + m.group(1) + ".";
            String part = m.group(2);
            if (LAYER_PARTS.containsKey(part)) {
                b.rename(layer + LAYER_PARTS.get(part), name);
            } else if ((part.equals("attn.in_proj_weight") || part.equals("attn.in_proj_bias")) && width > 0) {
                String suffix = part.endsWith("weight") ? ".weight" : ".bias";
                b.rows(layer + "self_attn.q_proj" + suffix, name, 0, width);
                b.rows(layer + "self_attn.k_proj" + suffix, name, width, 2 * width);
                b.rows(layer + "self_attn.v_proj" + suffix, name, 2 * width, 3 * width);
            }
        }
        b.spellingOfAbsent(hf -> hf.startsWith(hfPrefix) ? openClipPrefix + toOpenClip(hf.substring(hfPrefix.length())) : null);
        return b.build();
    }

    /** The OpenCLIP name of an HF text-model name (q/k/v name the fused tensor), or null. */
    public static String toOpenClip(String hf) {
        switch (hf) {
            case "embeddings.token_embedding.weight":
                return "token_embedding.weight";
            case "embeddings.position_embedding.weight":
                return "positional_embedding";
            case "final_layer_norm.weight":
                return "ln_final.weight";
            case "final_layer_norm.bias":
                return "ln_final.bias";
            default:
                break;
        }
        Matcher m = HF_LAYER.matcher(hf);
        if (!m.matches()) {
            return null;
        }
        String prefix = "transformer.resblocks." + m.group(1) + ".";
        String part = m.group(2);
        for (Map.Entry<String, String> e : LAYER_PARTS.entrySet()) {
            if (e.getValue().equals(part)) {
                return prefix + e.getKey();
            }
        }
        if (part.matches("self_attn\\.[qkv]_proj\\.weight")) {
            return prefix + "attn.in_proj_weight";
        }
        if (part.matches("self_attn\\.[qkv]_proj\\.bias")) {
            return prefix + "attn.in_proj_bias";
        }
        return null;
    }
}
