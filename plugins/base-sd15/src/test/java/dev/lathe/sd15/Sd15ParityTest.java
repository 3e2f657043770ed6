package dev.lathe.sd15;

import static dev.lathe.sd15.Fixtures.floats;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.nn.clip.ClipTextModel;
import dev.lathe.nn.vae.DiagonalGaussian;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Every expected output of the sd15 fixtures ({@code text_encoder_io}, {@code vae_io},
 * {@code unet_io} with its intermediates; {@code unet_lora_expected} is covered by
 * {@link Sd15AdapterTest}) against the forward passes of the tiny checkpoint, within the
 * tolerance {@code tolerances.json} suggests for it. The tests are generated from
 * {@code tolerances.json}, so no expected output is left out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Sd15ParityTest {

    /** Outputs of this model by fixture key {@code "<file>:<tensor>"}. */
    static Map<String, float[]> computeAll(Sd15Model model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager io = TensorRuntime.newManager(Device.cpu()); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            String te = "text_encoder_io.safetensors:";
            Map<String, Tensor> text = Fixtures.tensors("text_encoder_io.safetensors");
            NDArray ids = Fixtures.array(io, text.get("input_ids"));
            ClipTextModel encoder = model.textEncoder();
            List<NDArray> states = encoder.hiddenStates(ids, encoder.config().layers());
            for (int i = 0; i < states.size(); i++) {
                out.put(te + "hidden_states." + i, floats(states.get(i)));
            }
            NDArray last = model.encodeText(ids);
            out.put(te + "last_hidden_state", floats(last));
            out.put(te + "penultimate_hidden_state", floats(model.encodeText(ids, 2)));
            out.put(te + "pooled_output", floats(ClipTextModel.pooled(last, ids)));

            String v = "vae_io.safetensors:";
            Map<String, Tensor> vae = Fixtures.tensors("vae_io.safetensors");
            DiagonalGaussian posterior = model.vae().encode(Fixtures.array(io, vae.get("image")),
                    (name, array) -> out.put(v + name, floats(array)));
            out.put(v + "moments", floats(posterior.moments()));
            out.put(v + "mean", floats(posterior.mean()));
            out.put(v + "logvar", floats(posterior.logvar()));
            out.put(v + "std", floats(posterior.std()));
            out.put(v + "sample", floats(posterior.sample(Fixtures.array(io, vae.get("noise")))));
            NDArray decoded = model.vae().decode(Fixtures.array(io, vae.get("decode_latent")),
                    (name, array) -> out.put(v + name, floats(array)));
            out.put(v + "decoded", floats(decoded));

            String u = "unet_io.safetensors:";
            Map<String, Tensor> unet = Fixtures.tensors("unet_io.safetensors");
            NDArray eps = model.unet().forward(Fixtures.array(io, unet.get("x")), Fixtures.array(io, unet.get("timesteps")),
                    Fixtures.array(io, unet.get("context")), null, (name, array) -> out.put(u + "intermediate." + name, floats(array)));
            out.put(u + "eps", floats(eps));
        }
        return out;
    }

    /** The expected tensors of every fixture key. */
    static Tensor expected(String key) {
        String[] parts = key.split(":", 2);
        return Fixtures.tensors(parts[0]).get(parts[1]);
    }

    private Sd15Model model;
    private Map<String, float[]> actual;

    @BeforeAll
    void load() {
        model = Sd15Model.load(Fixtures.tiny(), LoadOptions.cpuFloat32());
        actual = computeAll(model);
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    @TestFactory
    List<DynamicTest> everyExpectedOutputWithinTolerance() {
        List<DynamicTest> tests = new ArrayList<>();
        Fixtures.tolerances().forEach((key, tolerance) -> {
            if (key.startsWith("unet_lora_expected.safetensors:")) {
                return; // Sd15AdapterTest
            }
            tests.add(DynamicTest.dynamicTest(key, () -> {
                float[] values = actual.get(key);
                assertNotNull(values, key + " was not computed");
                Fixtures.assertClose(key, expected(key), values, tolerance[0], tolerance[1]);
            }));
        });
        assertTrue(tests.size() >= 26, "tolerances.json lists the fixture outputs");
        return tests;
    }
}
