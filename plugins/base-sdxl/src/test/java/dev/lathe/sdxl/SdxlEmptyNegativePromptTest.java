package dev.lathe.sdxl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.lathe.api.model.Conditioning;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.api.model.SizeConditioning;
import dev.lathe.nn.AdaptableLayer;
import dev.lathe.render.LoraFolders;
import dev.lathe.render.RenderRequest;
import dev.lathe.render.Renderer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An empty negative prompt conditions SDXL as AUTOMATIC1111 does ({@code force_zero_negative_prompt}
 * in {@code modules/sd_models_xl.py}): the text encoders' outputs — the context and the pooled text
 * at the start of the vector — are zeros, the size embeddings stay. The renderer asks the family
 * for it; a non-empty negative prompt is encoded as usual.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdxlEmptyNegativePromptTest {

    private SdxlModel model;

    @BeforeAll
    void load() {
        model = SdxlModel.load(Fixtures.tiny(), Fixtures.withSharedTokenizer());
    }

    @AfterAll
    void close() {
        model.close();
    }

    @Test
    void theTextPartsAreZeroAndTheSizeEmbeddingStays() {
        SizeConditioning size = SizeConditioning.of(48, 32);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Conditioning encoded = model.encodePrompts(List.of("", "a cat"), 1, List.of(size, size));
            Conditioning empty = new Conditioning(encoded.context().get("0:1"), encoded.vector().get("0:1"));
            assertTrue(maxAbs(empty.context()) > 0, "\"\" encodes to something other than zeros");
            int pooled = model.spec().projectionDim();
            assertTrue(maxAbs(empty.vector().get(":, :" + pooled)) > 0, "the pooled text of \"\" is not zero");

            Conditioning zeroed = model.emptyNegativePrompt(empty);
            assertArrayEquals(empty.context().getShape().getShape(), zeroed.context().getShape().getShape());
            assertArrayEquals(empty.vector().getShape().getShape(), zeroed.vector().getShape().getShape());
            assertEquals(0f, maxAbs(zeroed.context()), "context");
            assertEquals(0f, maxAbs(zeroed.vector().get(":, :" + pooled)), "pooled text");
            float[] sizePart = zeroed.vector().get(":, " + pooled + ":").toFloatArray();
            assertArrayEquals(model.sizeEmbedding(List.of(size)).toFloatArray(), sizePart, "size embeddings, unchanged");
            assertArrayEquals(empty.vector().get(":, " + pooled + ":").toFloatArray(), sizePart);
        }
    }

    @Test
    void theRendererZeroesAnEmptyNegativePromptOnly() {
        Recording recording = new Recording(model);
        try (Renderer renderer = new Renderer(recording, new LoraFolders(List.of()), null, null)) {
            RenderRequest request = RenderRequest.of("a cat").withNegativePrompt("").withSampler("Euler", 1)
                    .withCfgScale(5).withSeed(3).withSize(32, 24);
            renderer.render(request);
            int pooled = model.spec().projectionDim();
            float[][] uncond = recording.seen.get(0);
            float[][] cond = recording.seen.get(1);
            assertEquals(0f, maxAbs(uncond[0]), "uncond context");
            assertTrue(maxAbs(cond[0]) > 0, "cond context");
            float[] sizeOfCond = tail(cond[1], pooled);
            assertEquals(0f, maxAbs(head(uncond[1], pooled)), "uncond pooled text");
            assertArrayEquals(sizeOfCond, tail(uncond[1], pooled), "uncond size embeddings");
            assertArrayEquals(model.sizeEmbedding(List.of(SizeConditioning.of(32, 24))).toFloatArray(), sizeOfCond);

            recording.seen.clear();
            renderer.render(request.withNegativePrompt("blurry"));
            assertTrue(maxAbs(recording.seen.get(0)[0]) > 0, "a negative prompt is encoded");
            assertTrue(maxAbs(head(recording.seen.get(0)[1], pooled)) > 0, "with its pooled text");
        }
    }

    private static float[] head(float[] values, int n) {
        return java.util.Arrays.copyOfRange(values, 0, n);
    }

    private static float[] tail(float[] values, int from) {
        return java.util.Arrays.copyOfRange(values, from, values.length);
    }

    private static float maxAbs(NDArray array) {
        return maxAbs(array.toFloatArray());
    }

    private static float maxAbs(float[] values) {
        float max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    /**
     * The model, recording per batch row the conditioning of its first {@code predict} call as
     * {context, vector} (the renderer batches uncond, then cond).
     */
    private static final class Recording implements DiffusionModel {
        private final SdxlModel model;
        final List<float[][]> seen = new ArrayList<>();

        Recording(SdxlModel model) {
            this.model = model;
        }

        @Override
        public NDArray predict(NDArray noisyLatents, NDArray timesteps, Conditioning conditioning) {
            if (seen.isEmpty()) {
                for (int row = 0; row < conditioning.context().getShape().get(0); row++) {
                    String at = row + ":" + (row + 1);
                    seen.add(new float[][] {conditioning.context().get(at).toFloatArray(),
                            conditioning.vector().get(at).toFloatArray()});
                }
            }
            return model.predict(noisyLatents, timesteps, conditioning);
        }

        @Override
        public Conditioning emptyNegativePrompt(Conditioning encodedEmpty) {
            return model.emptyNegativePrompt(encodedEmpty);
        }

        @Override
        public Conditioning encodePrompts(List<String> prompts, int clipSkip, List<SizeConditioning> sizes) {
            return model.encodePrompts(prompts, clipSkip, sizes);
        }

        @Override
        public Conditioning encodeCaptions(List<String> captions, int clipSkip, List<SizeConditioning> sizes) {
            return model.encodeCaptions(captions, clipSkip, sizes);
        }

        @Override
        public NDArray encodeImages(NDArray images, NDArray noise) {
            return model.encodeImages(images, noise);
        }

        @Override
        public NDArray decodeLatents(NDArray latents) {
            return model.decodeLatents(latents);
        }

        @Override
        public String baseModelVersion() {
            return model.baseModelVersion();
        }

        @Override
        public boolean vPrediction() {
            return model.vPrediction();
        }

        @Override
        public float latentScale() {
            return model.latentScale();
        }

        @Override
        public int vaeDownscale() {
            return model.vaeDownscale();
        }

        @Override
        public NDManager manager() {
            return model.manager();
        }

        @Override
        public Map<String, AdaptableLayer> layers() {
            return model.layers();
        }

        @Override
        public List<LoraTarget> loraTargets(LoraScope scope) {
            return model.loraTargets(scope);
        }

        @Override
        public dev.lathe.nn.StoredRange storedAt(String key) {
            return model.storedAt(key);
        }

        @Override
        public String family() {
            return model.family();
        }

        @Override
        public Path source() {
            return model.source();
        }

        @Override
        public Map<String, Object> architecture() {
            return model.architecture();
        }

        @Override
        public void close() {
            // the test closes the model
        }
    }
}
