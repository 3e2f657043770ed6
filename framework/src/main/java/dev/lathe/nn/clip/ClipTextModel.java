package dev.lathe.nn.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.lathe.nn.Constants;
import dev.lathe.nn.LayerNorm;
import dev.lathe.nn.Scopes;
import dev.lathe.nn.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLIP text transformer in Hugging Face {@code CLIPTextModel} naming (keys below
 * {@code text_model.}; an OpenCLIP checkpoint is presented under these names by {@link OpenClipKeys}):
 * <pre>
 *   x = embeddings.token_embedding[ids] + embeddings.position_embedding[0 .. N-1]   hidden state 0
 *   x = encoder.layers.l(x)   for l = 0 .. layers-1                                hidden state l+1
 *   last_hidden_state = final_layer_norm(x)
 * </pre>
 * Attention is causal and uses no padding mask. "Clip skip" k (A1111, kohya) is hidden state
 * {@code layers+1-k} through {@code final_layer_norm}: k = 1 is the last hidden state, k = 2 the
 * penultimate.
 */
public final class ClipTextModel {

    private final ClipTextConfig config;
    private final DataType computeType;
    private final ai.djl.Device device;
    private final Constants constants;
    final NDArray embeddingsTokenEmbedding;
    final NDArray embeddingsPositionEmbedding;
    final List<ClipEncoderLayer> encoderLayers = new ArrayList<>();
    final LayerNorm finalLayerNorm;

    private ClipTextModel(Weights w, ClipTextConfig c) {
        this.config = c;
        this.computeType = w.computeType();
        this.device = w.device();
        this.constants = w.constants();
        embeddingsTokenEmbedding = w.get("embeddings.token_embedding.weight", c.vocabSize(), c.width());
        embeddingsPositionEmbedding = w.get("embeddings.position_embedding.weight", c.maxPositions(), c.width());
        for (int l = 0; l < c.layers(); l++) {
            encoderLayers.add(ClipEncoderLayer.load(w.at("encoder.layers", l), c));
        }
        finalLayerNorm = LayerNorm.load(w.at("final_layer_norm"), c.width(), c.layerNormEps());
    }

    /** Loads the encoder at {@code w} (single-file SD 1.x: {@code at("cond_stage_model.transformer.text_model")}). */
    public static ClipTextModel load(Weights w, ClipTextConfig config) {
        return new ClipTextModel(w, config);
    }

    public ClipTextConfig config() {
        return config;
    }

    /**
     * The hidden states 0 .. {@code numLayers} (embeddings, then the output of each of the first
     * {@code numLayers} layers), without the final LayerNorm.
     *
     * @param ids token ids {@code [B, N]} (int64, N ≤ maxPositions)
     */
    public List<NDArray> hiddenStates(NDArray ids, int numLayers) {
        checkIds(ids);
        if (numLayers < 0 || numLayers > config.layers()) {
            throw new IllegalArgumentException("numLayers must be 0.." + config.layers() + ", got " + numLayers);
        }
        NDList states = Scopes.runAll(() -> {
            long n = ids.getShape().get(1);
            NDArray tokens = dev.lathe.nn.Functional.prepare(ids, device, DataType.INT64);
            NDArray x = tokens.getNDArrayInternal()
                    .embedding(tokens, embeddingsTokenEmbedding, SparseFormat.DENSE).singletonOrThrow();
            x = x.addi(embeddingsPositionEmbedding.get(new NDIndex("0:{}", n)));
            NDList out = new NDList(x);
            NDArray mask = constants.causalMask(n);
            for (int l = 0; l < numLayers; l++) {
                ClipEncoderLayer layer = encoderLayers.get(l);
                NDArray in = x;
                x = Scopes.run(() -> layer.forward(in, mask));
                out.add(x);
            }
            return out;
        });
        return List.copyOf(states);
    }

    /** {@code final_layer_norm(h)}. */
    public NDArray finalLayerNorm(NDArray hidden) {
        return finalLayerNorm.forward(hidden);
    }

    /**
     * The text conditioning with clip skip {@code clipSkip} (1 = last hidden state): hidden state
     * {@code layers+1-clipSkip} through the final LayerNorm, {@code [B, N, width]}. Runs only the
     * layers needed.
     */
    public NDArray encode(NDArray ids, int clipSkip) {
        if (clipSkip < 1 || clipSkip > config.layers()) {
            throw new IllegalArgumentException("clip skip must be 1.." + config.layers() + ", got " + clipSkip);
        }
        return Scopes.run(() -> {
            List<NDArray> states = hiddenStates(ids, config.layers() + 1 - clipSkip);
            return finalLayerNorm(states.get(states.size() - 1));
        });
    }

    /**
     * HF's pooled output: the row of {@code lastHiddenState [B, N, W]} at the position of the
     * largest id of each sequence (the first end-of-text token for CLIP's tokenizer), {@code [B, W]}.
     */
    public static NDArray pooled(NDArray lastHiddenState, NDArray ids) {
        return Scopes.run(() -> {
            long[] positions = ids.argMax(1).toLongArray();
            NDList rows = new NDList();
            for (int b = 0; b < positions.length; b++) {
                rows.add(lastHiddenState.get(new NDIndex("{}, {}", b, positions[b])));
            }
            return ai.djl.ndarray.NDArrays.stack(rows, 0);
        });
    }

    private void checkIds(NDArray ids) {
        Shape s = ids.getShape();
        if (s.dimension() != 2 || s.get(1) < 1 || s.get(1) > config.maxPositions()) {
            throw new IllegalArgumentException("token ids must be [B, N] with 1 ≤ N ≤ " + config.maxPositions() + ", got " + s);
        }
    }

    /** The compute type of the weights. */
    public DataType computeType() {
        return computeType;
    }
}
