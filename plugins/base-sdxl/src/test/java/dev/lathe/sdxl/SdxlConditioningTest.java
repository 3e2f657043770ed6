package dev.lathe.sdxl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lathe.api.model.Conditioning;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.SizeConditioning;
import dev.lathe.api.optim.Parameter;
import dev.lathe.lora.LoraAttachment;
import dev.lathe.lora.LoraDims;
import dev.lathe.lora.LoraDropout;
import dev.lathe.lora.LoraNetwork;
import dev.lathe.lora.ModelLoras;
import dev.lathe.lora.ModelPart;
import dev.lathe.nn.clip.WindowedEncoding;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.Tensor;
import dev.lathe.testing.TensorAsserts;
import dev.lathe.text.PromptChunker;
import dev.lathe.text.PromptChunks;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Text to conditioning through {@link SdxlModel#encodeCaptions} and {@link SdxlModel#encodePrompts}
 * with the real CLIP vocabulary (read from the shared folder, never copied): the fixture prompts
 * give the reference context and vector end to end; long prompts, emphasis, clip skip and size
 * conditioning behave as in AUTOMATIC1111; and gradients reach LoRA modules in both text encoders
 * (text encoder 2's q/k/v included; text encoder 1's last layer, which SDXL does not read, excepted)
 * and the UNet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdxlConditioningTest {

    private SdxlModel model;
    private NDManager manager;

    @BeforeAll
    void load() {
        model = SdxlModel.load(Fixtures.tiny(), Fixtures.withSharedTokenizer());
        manager = TensorRuntime.newManager(Device.cpu());
    }

    @AfterAll
    void close() {
        manager.close();
        model.close();
    }

    @Test
    void fixturePromptsGiveTheReferenceContextAndVector() {
        Map<String, Tensor> io = Fixtures.tensors("text_io.safetensors");
        List<String> prompts = Fixtures.prompts("text_io.safetensors");
        long[] ids1 = io.get("input.te1_input_ids").toLongArray();
        long[] ids2 = io.get("input.te2_input_ids").toLongArray();
        int pad2 = dev.lathe.text.TokenizerSource.OPEN_CLIP_VIT_BIGG.padId(model.tokenizer2());
        assertEquals(0, pad2);
        for (int b = 0; b < prompts.size(); b++) {
            assertArrayEquals(slice(ids1, b), model.tokenizer1().inputIds(prompts.get(b)), "encoder 1 ids of prompt " + b);
            assertArrayEquals(slice(ids2, b), model.tokenizer2().inputIds(prompts.get(b), pad2), "encoder 2 ids of prompt " + b);
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Conditioning c = model.encodeCaptions(prompts, 1, Fixtures.sizes(io));
            Fixtures.assertMatches("text_io.safetensors", "context", TensorAsserts.floats(c.context()));
            Fixtures.assertMatches("text_io.safetensors", "vector", TensorAsserts.floats(c.vector()));
        }
    }

    private static int[] slice(long[] ids, int row) {
        int[] out = new int[77];
        for (int i = 0; i < 77; i++) {
            out[i] = (int) ids[row * 77 + i];
        }
        return out;
    }

    @Test
    void plainPromptsEncodeLikeCaptions() {
        List<String> prompts = Fixtures.prompts("text_io.safetensors").subList(0, 2);
        List<SizeConditioning> sizes = List.of(SizeConditioning.of(832, 1216), SizeConditioning.of(1024, 1024));
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Conditioning captions = model.encodeCaptions(prompts, 1, sizes);
            Conditioning sampling = model.encodePrompts(prompts, 1, sizes);
            TensorAsserts.assertClose("context", TensorAsserts.floats(captions.context()),
                    TensorAsserts.floats(sampling.context()), 1e-6, 1e-6);
            TensorAsserts.assertClose("vector", TensorAsserts.floats(captions.vector()),
                    TensorAsserts.floats(sampling.vector()), 1e-6, 1e-6);
        }
    }

    @Test
    void longPromptsAreEncodedInWindowsWithTheFirstWindowsPooled() {
        String prompt = Fixtures.prompts("text_io.safetensors").get(2);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Conditioning c = model.encodePrompts(List.of(prompt), 1, null);
            assertEquals(new Shape(1, 154, 80), c.context().getShape());
            PromptChunks w1 = new PromptChunker(model.tokenizer1(), model.tokenizer1().endOfText()).chunk(prompt);
            PromptChunks w2 = new PromptChunker(model.tokenizer2(), 0).chunk(prompt);
            for (int w = 0; w < 2; w++) {
                SdxlModel.TextEncoding window = model.encodeTokens(WindowedEncoding.windowIds(manager, List.of(w1), w),
                        WindowedEncoding.windowIds(manager, List.of(w2), w), 1);
                TensorAsserts.assertClose("window " + w, TensorAsserts.floats(window.context()),
                        TensorAsserts.floats(c.context().get(new NDIndex(":, {}:{}", 77 * w, 77 * (w + 1)))), 1e-5, 1e-5);
                if (w == 0) {
                    TensorAsserts.assertClose("pooled of the first window", TensorAsserts.floats(window.pooled()),
                            TensorAsserts.floats(c.vector().get(new NDIndex(":, 0:64"))), 1e-5, 1e-5);
                }
            }
            float[] size = TensorAsserts.floats(c.vector().get(new NDIndex(":, 64:")));
            float[] square = TensorAsserts.floats(model.sizeEmbedding(List.of(new SizeConditioning(1024, 1024, 0, 0, 1024, 1024))));
            assertArrayEquals(square, size, "sizes null: 1024 x 1024, uncropped");
        }
    }

    @Test
    void emphasisScalesTheHiddenStatesButNotThePooledVector() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Conditioning plain = model.encodePrompts(List.of("a red horse"), 1, null);
            Conditioning weighted = model.encodePrompts(List.of("a (red:1.5) horse"), 1, null);
            assertFalse(java.util.Arrays.equals(TensorAsserts.floats(plain.context()), TensorAsserts.floats(weighted.context())));
            assertArrayEquals(TensorAsserts.floats(plain.vector()), TensorAsserts.floats(weighted.vector()));
        }
    }

    @Test
    void clipSkipTakesEarlierLayersAndKeepsThePooledVector() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Conditioning one = model.encodeCaptions(List.of("a red horse"), 1, null);
            Conditioning two = model.encodeCaptions(List.of("a red horse"), 2, null);
            assertEquals(one.context().getShape(), two.context().getShape());
            assertFalse(java.util.Arrays.equals(TensorAsserts.floats(one.context()), TensorAsserts.floats(two.context())));
            assertArrayEquals(TensorAsserts.floats(one.vector()), TensorAsserts.floats(two.vector()));
            assertThrows(IllegalArgumentException.class, () -> model.encodeCaptions(List.of("x"), 4, null));
            assertThrows(IllegalArgumentException.class, () -> model.encodeCaptions(List.of("x", "y"), 1,
                    List.of(SizeConditioning.of(512, 512))));
        }
    }

    @Test
    void gradientsReachLoraModulesInBothEncodersAndTheUnet() {
        List<ModelLoras.Bound> bound = ModelLoras.forTargets(model, new LoraScope(true, true, true),
                LoraDims.of(4, 4).withConv(2, 2));
        try (LoraNetwork network = LoraNetwork.create(manager, bound.stream().map(ModelLoras.Bound::spec).toList(), 1, 1f,
                LoraDropout.none())) {
            List<Parameter> parameters = network.parameters(part -> true);
            for (Parameter p : parameters) {
                if (p.name().endsWith(".lora_up.weight")) {
                    p.value().addi(manager.randomNormal(p.value().getShape()).muli(0.01f)); // kohya starts up at zero
                }
                p.value().setRequiresGradient(true);
            }
            try (LoraAttachment attachment = LoraAttachment.attach(network, bound, new SplittableRandom(3));
                 NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                try (GradientCollector collector = TensorRuntime.engine().newGradientCollector()) {
                    Conditioning c = model.encodeCaptions(List.of("a red horse", "a blue car"), 1,
                            List.of(SizeConditioning.of(64, 64), new SizeConditioning(96, 80, 16, 8, 64, 64)));
                    NDArray x = manager.randomNormal(new Shape(2, 4, 8, 8));
                    NDArray eps = model.predict(x, manager.create(new float[] {999f, 10f}), c);
                    collector.backward(eps.mul(eps).mean());
                }
                int te2Qkv = 0;
                for (Parameter p : parameters) {
                    float[] g = p.value().getGradient().toFloatArray();
                    double norm = 0;
                    for (float v : g) {
                        assertTrue(Float.isFinite(v), p.name());
                        norm += v * v;
                    }
                    // SDXL reads text encoder 1 before its last layer: that layer's modules (which kohya
                    // creates too) stay without gradient; everything else must get one
                    boolean unused = p.name().startsWith("lora_te1_text_model_encoder_layers_2_");
                    assertEquals(unused, norm == 0, (unused ? "a gradient reaches " : "no gradient reaches ") + p.name());
                    te2Qkv += p.name().matches("lora_te2_.*_self_attn_[qkv]_proj\\.lora_down\\.weight") ? 1 : 0;
                }
                assertEquals(9, te2Qkv, "q, k, v of text encoder 2's three layers");
                assertTrue(network.parameters(ModelPart::isTextEncoder).size() == 2 * 36);
            }
        }
    }
}
