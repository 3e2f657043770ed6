package dev.lathe.stage.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.lathe.api.model.Conditioning;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.SizeConditioning;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Text-encoder outputs computed once per (caption, size conditioning) and kept, for runs that
 * train only the UNet's LoRA with fixed captions (kohya's {@code --cache_text_encoder_outputs}):
 * the text encoder then runs once per distinct caption instead of every step.
 */
final class TextCache implements AutoCloseable {

    private final DiffusionModel model;
    private final int clipSkip;
    private final NDManager manager;
    private final Map<String, Conditioning> cache = new HashMap<>();

    TextCache(DiffusionModel model, int clipSkip) {
        this.model = model;
        this.clipSkip = clipSkip;
        this.manager = model.manager().newSubManager();
    }

    /** The batch's conditioning from the cache, encoding what is missing; arrays in the caller's scope. */
    Conditioning conditioning(TrainingData.Batch batch) {
        NDList contexts = new NDList();
        NDList vectors = new NDList();
        for (int i = 0; i < batch.captions().size(); i++) {
            String caption = batch.captions().get(i);
            SizeConditioning size = batch.sizes() == null ? null : batch.sizes().get(i);
            Conditioning one = cache.computeIfAbsent(caption + "\u0000" + size, key -> encode(caption, size));
            contexts.add(one.context());
            if (one.vector() != null) {
                vectors.add(one.vector());
            }
        }
        NDArray context = NDArrays.concat(contexts, 0);
        NDArray vector = vectors.isEmpty() ? null : NDArrays.concat(vectors, 0);
        return new Conditioning(context, vector);
    }

    private Conditioning encode(String caption, SizeConditioning size) {
        Conditioning c = model.encodeCaptions(List.of(caption), clipSkip, size == null ? null : List.of(size));
        NDArray context = keep(c.context());
        NDArray vector = c.vector() == null ? null : keep(c.vector());
        return new Conditioning(context, vector);
    }

    /** A copy without gradient that outlives the step's scope. */
    private NDArray keep(NDArray array) {
        NDArray kept = array.stopGradient();
        NDScope.unregister(kept);
        kept.attach(manager);
        return kept;
    }

    @Override
    public void close() {
        manager.close();
    }
}
