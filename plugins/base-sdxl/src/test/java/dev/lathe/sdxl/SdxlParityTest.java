package dev.lathe.sdxl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.lathe.api.model.Conditioning;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.nn.vae.DiagonalGaussian;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.Tensor;
import dev.lathe.testing.TensorAsserts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every output of {@code fixtures/sdxl} (text encoders, context, pooled, size embedding, vector,
 * UNet, VAE) computed by the loaded tiny checkpoint, within {@code tolerances.json}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdxlParityTest {

    private SdxlModel model;

    @BeforeAll
    void load() {
        model = SdxlModel.load(Fixtures.tiny(), LoadOptions.cpuFloat32());
    }

    @AfterAll
    void close() {
        model.close();
    }

    /**
     * The outputs of {@code model} for the inputs of {@code text_io}, {@code unet_io} and
     * {@code vae_io} (or, for a LoRA's expectations, the same inputs of {@code textFile} /
     * {@code unetFile}), by tolerances.json key.
     */
    static Map<String, float[]> computeAll(SdxlModel model, String textFile, String unetFile) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager manager = TensorRuntime.newManager(Device.cpu()); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Map<String, Tensor> text = Fixtures.tensors(textFile);
            SdxlModel.TextEncoding enc = model.encodeTokens(Fixtures.array(manager, text.get("input.te1_input_ids")),
                    Fixtures.array(manager, text.get("input.te2_input_ids")), 1);
            String t = textFile + ":expected.";
            out.put(t + "te1_hidden", TensorAsserts.floats(enc.te1Hidden()));
            out.put(t + "te2_penultimate", TensorAsserts.floats(enc.te2Hidden()));
            out.put(t + "pooled", TensorAsserts.floats(enc.pooled()));
            out.put(t + "context", TensorAsserts.floats(enc.context()));
            out.put(t + "size_embedding", TensorAsserts.floats(model.sizeEmbedding(Fixtures.sizes(text))));
            out.put(t + "vector", TensorAsserts.floats(model.vector(enc.pooled(), Fixtures.sizes(text))));

            Map<String, Tensor> unet = Fixtures.tensors(unetFile);
            String u = unetFile + ":expected.";
            out.put(u + "eps", TensorAsserts.floats(model.predict(Fixtures.array(manager, unet.get("input.x")),
                    Fixtures.array(manager, unet.get("input.timesteps")),
                    new Conditioning(Fixtures.array(manager, unet.get("input.context")),
                            Fixtures.array(manager, unet.get("input.y"))))));
            if (unet.containsKey("input.x_nonsquare")) {
                out.put(u + "eps_nonsquare", TensorAsserts.floats(model.predict(
                        Fixtures.array(manager, unet.get("input.x_nonsquare")),
                        Fixtures.array(manager, unet.get("input.timesteps_nonsquare")),
                        new Conditioning(Fixtures.array(manager, unet.get("input.context_nonsquare")),
                                Fixtures.array(manager, unet.get("input.y_nonsquare"))))));
            }

            Map<String, Tensor> vae = Fixtures.tensors("vae_io.safetensors");
            try (DiagonalGaussian posterior = model.vae().encode(Fixtures.array(manager, vae.get("input.image")))) {
                out.put("vae_io.safetensors:expected.moments", TensorAsserts.floats(posterior.moments()));
            }
            out.put("vae_io.safetensors:expected.decoded",
                    TensorAsserts.floats(model.vae().decode(Fixtures.array(manager, vae.get("input.z")))));
        }
        return out;
    }

    static Map<String, float[]> computeAll(SdxlModel model) {
        return computeAll(model, "text_io.safetensors", "unet_io.safetensors");
    }

    /** Asserts every base (no LoRA) output in {@code actual} against its fixture. */
    static void assertAllMatch(Map<String, float[]> actual) {
        int checked = 0;
        for (String key : Fixtures.toleranceKeys()) {
            if (key.startsWith("lora_")) {
                continue;
            }
            String[] parts = key.split(":expected\\.");
            assertNotNull(actual.get(key), key);
            Fixtures.assertMatches(parts[0], parts[1], actual.get(key));
            checked++;
        }
        assertEquals(10, checked, "text (6), UNet (2) and VAE (2) outputs");
    }

    @Test
    void everyOutputMatchesTheReference() {
        assertAllMatch(computeAll(model));
    }

    @Test
    void architectureIsReadFromTheTensorsAndMetadata() {
        SdxlArchitecture a = model.spec();
        assertEquals(List.of(0, 1, 2), a.unet().transformerDepth());
        assertEquals(2, a.unet().middleTransformerDepth());
        assertEquals(16, a.unet().headChannels());
        assertEquals("metadata", a.headsSource());
        assertEquals(1600, a.unet().admInChannels());
        assertEquals(80, a.unet().contextDim());
        assertEquals(32, a.te1().width());
        assertEquals(3, a.te1().layers());
        assertEquals(2, a.te1().heads());
        assertEquals("quick_gelu", a.te1().activation().hfName());
        assertEquals(48, a.te2().width());
        assertEquals(4, a.te2().heads());
        assertEquals("gelu", a.te2().activation().hfName());
        assertEquals(64, a.projectionDim());
        assertEquals(0.13025f, model.latentScale());
        assertEquals("sdxl_base_v1-0", model.baseModelVersion());
        assertTrue(model.ignoredTensors().contains("conditioner.embedders.1.model.logit_scale"), model.ignoredTensors().toString());
        assertTrue(model.ignoredTensors().contains("conditioner.embedders.0.transformer.text_model.embeddings.position_ids"));
        assertEquals(2, model.ignoredTensors().size(), model.ignoredTensors().toString());
    }

    /** encodeImages/decodeLatents apply 0.13025 around the VAE and compute in float32. */
    @Test
    void latentsAreScaledVaeLatents() {
        Map<String, Tensor> vae = Fixtures.tensors("vae_io.safetensors");
        try (NDManager manager = TensorRuntime.newManager(Device.cpu()); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray image = Fixtures.array(manager, vae.get("input.image"));
            NDArray latents = model.encodeImages(image, manager.zeros(new ai.djl.ndarray.types.Shape(1, 4, 16, 16)));
            float[] moments = vae.get("expected.moments").toFloatArray();
            float[] mean = new float[4 * 16 * 16];
            for (int i = 0; i < mean.length; i++) {
                mean[i] = moments[i] * 0.13025f;
            }
            TensorAsserts.assertClose("scaled mean", mean, TensorAsserts.floats(latents), 1e-4, 1e-5);

            NDArray z = Fixtures.array(manager, vae.get("input.z"));
            NDArray decoded = model.decodeLatents(z.mul(0.13025f));
            assertEquals(DataType.FLOAT32, decoded.getDataType());
            TensorAsserts.assertClose("decoded", vae.get("expected.decoded"), TensorAsserts.floats(decoded), 1e-3, 1e-4);
        }
    }
}
