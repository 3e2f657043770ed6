package dev.lathe.nn.clip;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.nn.MetadataJson;
import dev.lathe.nn.ShapeReader;

/**
 * What a CLIP text transformer's tensors say about its {@link ClipTextConfig}: everything except
 * the heads, the activation and the LayerNorm epsilon, which come from a config ({@link #config})
 * or the conventions of the released encoders.
 */
public record ClipTextDimensions(int vocabSize, int width, int layers, int intermediate, int maxPositions) {

    /**
     * Reads the encoder below {@code prefix} in Hugging Face names (e.g.
     * {@code cond_stage_model.transformer.text_model.}; an OpenCLIP encoder presented under those
     * names by {@link OpenClipKeys}). Returns null with the problems recorded in {@code r}.
     */
    public static ClipTextDimensions read(ShapeReader r, String prefix) {
        long[] tokens = r.shape(prefix + "embeddings.token_embedding.weight", 2);
        long[] positions = r.shape(prefix + "embeddings.position_embedding.weight", 2);
        long[] fc1 = r.shape(prefix + "encoder.layers.0.mlp.fc1.weight", 2);
        if (tokens == null || positions == null || fc1 == null) {
            return null;
        }
        return new ClipTextDimensions((int) tokens[0], (int) tokens[1], r.count(prefix + "encoder.layers."),
                (int) fc1[0], (int) positions[0]);
    }

    /**
     * The full configuration. From {@code config} when it has them — a Hugging Face
     * {@code CLIPTextConfig} ({@code num_attention_heads}, {@code hidden_act},
     * {@code layer_norm_eps}) or an OpenCLIP text config ({@code heads}, {@code act}) — else by
     * convention: 64-channel heads (ViT-L 12, ViT-H 16, ViT-bigG 20), {@code activation}, eps 1e-5.
     *
     * @param config     the encoder's config JSON, or null
     * @param activation the activation when the config names none: quick GELU for OpenAI's
     *                   ViT-L, exact GELU for the OpenCLIP encoders
     * @throws IllegalArgumentException when the heads do not divide the width
     */
    public ClipTextConfig config(JsonNode config, ClipTextConfig.Activation activation) {
        int heads = MetadataJson.positiveInt(config, "num_attention_heads", "heads");
        if (heads < 0) {
            heads = Math.max(1, width / 64);
        }
        ClipTextConfig.Activation act = null;
        if (config != null) {
            act = ClipTextConfig.Activation.fromHfName(config.path("hidden_act").asText(config.path("act").asText("")));
        }
        float eps = config != null && config.has("layer_norm_eps") ? (float) config.get("layer_norm_eps").asDouble() : 1e-5f;
        return new ClipTextConfig(vocabSize, width, layers, heads, intermediate, maxPositions, act == null ? activation : act,
                eps);
    }
}
