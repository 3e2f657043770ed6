package dev.lathe.sd15;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.nn.AdaptableLayer;
import dev.lathe.nn.Adapter;
import dev.lathe.nn.Conv2d;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The adapter hook is what LoRA training (issue 5) builds on: a kohya LoRA attached unmerged as
 * {@link Adapter}s reproduces the fixture's merged-LoRA outputs, detaching restores the base
 * model, and gradients flow through the whole UNet and text encoder to adapter parameters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Sd15AdapterTest {

    /** A LoRA module: {@code multiplier · alpha/rank · up(down(x))}. */
    static final class Lora implements Adapter {
        final NDArray down;
        final NDArray up;
        final NDArray scale;
        final boolean conv;
        final Conv2d layer;

        Lora(AdaptableLayer target, NDArray down, NDArray up, NDArray scale) {
            this.down = down;
            this.up = up;
            this.scale = scale;
            this.conv = target instanceof Conv2d;
            this.layer = conv ? (Conv2d) target : null;
        }

        @Override
        public NDArray apply(NDArray x) {
            NDArray h;
            if (conv) {
                Shape s1 = new Shape(layer.stride(), layer.stride());
                Shape p = new Shape(layer.padding(), layer.padding());
                h = x.getNDArrayInternal().convolution(x, down, null, s1, p, new Shape(1, 1), 1).singletonOrThrow();
                h = h.getNDArrayInternal().convolution(h, up, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1)
                        .singletonOrThrow();
            } else {
                h = x.getNDArrayInternal().linear(x, down, null).singletonOrThrow();
                h = h.getNDArrayInternal().linear(h, up, null).singletonOrThrow();
            }
            return h.mul(scale);
        }
    }

    private Sd15Model model;
    private NDManager manager;
    private Map<String, Tensor> io;

    @BeforeAll
    void load() {
        model = Sd15Model.load(Fixtures.tiny(), LoadOptions.cpuFloat32());
        manager = TensorRuntime.newManager(Device.cpu());
        io = Fixtures.tensors("unet_io.safetensors");
    }

    @AfterAll
    void close() {
        manager.close();
        model.close();
    }

    /** The fixture LoRA's modules attached to the model at {@code multiplier}. */
    private List<Lora> attachFixtureLora(float multiplier) throws IOException {
        Map<String, Tensor> lora = Fixtures.tensors("lora.safetensors");
        List<LoraTarget> targets = new Sd15Family().loraTargets(SafeTensorsFile.readHeader(Fixtures.tiny()), LoraScope.defaults());
        List<Lora> attached = new ArrayList<>();
        for (LoraTarget t : targets) {
            Tensor down = lora.get(t.loraName() + ".lora_down.weight");
            if (down == null) {
                continue; // the fixture LoRA leaves out ff and the text encoder
            }
            float alpha = lora.get(t.loraName() + ".alpha").toFloatArray()[0];
            long rank = down.shape()[0];
            AdaptableLayer layer = model.layers().get(t.weightKey().replaceFirst("\\.weight$", ""));
            assertNotNull(layer, t.weightKey());
            Lora adapter = new Lora(layer, Fixtures.array(manager, down),
                    Fixtures.array(manager, lora.get(t.loraName() + ".lora_up.weight")),
                    manager.create(multiplier * alpha / rank));
            layer.addAdapter(adapter);
            attached.add(adapter);
        }
        assertEquals(40, attached.size());
        return attached;
    }

    private void detach(List<Lora> adapters) {
        for (AdaptableLayer layer : model.layers().values()) {
            for (Lora a : adapters) {
                layer.removeAdapter(a);
            }
        }
        model.layers().values().forEach(l -> assertTrue(l.adapters().isEmpty()));
    }

    private float[] eps() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return Fixtures.floats(model.unet().forward(Fixtures.array(manager, io.get("x")),
                    Fixtures.array(manager, io.get("timesteps")), Fixtures.array(manager, io.get("context"))));
        }
    }

    /**
     * The product's path: the fixture file read as a kohya LoRA, bound to the model's layers by
     * name and attached unmerged, gives the fixture's merged-LoRA eps; and each module's merged
     * weight equals the fixture's merged weight.
     */
    @Test
    void loraFileAttachedByTheProductMatchesTheMergedFixture() throws IOException {
        Map<String, Tensor> expected = Fixtures.tensors("unet_lora_expected.safetensors");
        Map<String, double[]> tol = Fixtures.tolerances();
        dev.lathe.lora.LoraFileContents file = dev.lathe.lora.LoraFile.read(Fixtures.resource("lora.safetensors"));
        List<dev.lathe.lora.ModelLoras.Bound> bound = dev.lathe.lora.ModelLoras.forFile(model, file);
        assertEquals(40, bound.size());
        for (float m : new float[] {1.0f, 0.5f}) {
            try (dev.lathe.lora.LoraNetwork network = dev.lathe.lora.LoraNetwork.load(manager,
                    bound.stream().map(dev.lathe.lora.ModelLoras.Bound::spec).toList(), file, m,
                    dev.lathe.lora.LoraDropout.none());
                    dev.lathe.lora.LoraAttachment attachment = dev.lathe.lora.LoraAttachment.attach(network, bound, null)) {
                String key = "eps_multiplier_" + m;
                double[] t = tol.get("unet_lora_expected.safetensors:" + key);
                Fixtures.assertClose(key, expected.get(key), eps(), t[0], t[1]);
                if (m == 1.0f) {
                    int compared = 0;
                    for (dev.lathe.lora.ModelLoras.Bound b : bound) {
                        String mergedKey = "merged_multiplier_1.0." + b.layer().name() + ".weight";
                        Tensor mergedExpected = expected.get(mergedKey);
                        if (mergedExpected == null) {
                            continue;
                        }
                        double[] mt = tol.get("unet_lora_expected.safetensors:" + mergedKey);
                        try (NDArray merged = network.module(b.spec().name()).orElseThrow().merge(b.layer().weight(), 1f)) {
                            Fixtures.assertClose(mergedKey, mergedExpected, merged.toFloatArray(),
                                    mt == null ? 1e-6 : mt[0], mt == null ? 1e-5 : mt[1]);
                        }
                        compared++;
                    }
                    assertTrue(compared > 0, "the fixture holds merged weights to compare; keys: " + expected.keySet());
                }
            }
        }
        model.layers().values().forEach(l -> assertTrue(l.adapters().isEmpty()));
    }

    @Test
    void unmergedLoraMatchesTheMergedFixture() throws IOException {
        Map<String, Tensor> expected = Fixtures.tensors("unet_lora_expected.safetensors");
        Map<String, double[]> tol = Fixtures.tolerances();
        for (float m : new float[] {1.0f, 0.5f}) {
            String key = "eps_multiplier_" + m;
            List<Lora> adapters = attachFixtureLora(m);
            try {
                double[] t = tol.get("unet_lora_expected.safetensors:" + key);
                Fixtures.assertClose(key, expected.get(key), eps(), t[0], t[1]);
            } finally {
                detach(adapters);
            }
        }
        double[] t = tol.get("unet_io.safetensors:eps");
        Fixtures.assertClose("eps after detaching", io.get("eps"), eps(), t[0], t[1]);
    }

    @Test
    void gradientsFlowToAdaptersThroughUnetAndTextEncoder() throws IOException {
        List<Lora> adapters = attachFixtureLora(1.0f);
        List<Lora> textAdapters = new ArrayList<>();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Lora a : adapters) {
                a.down.setRequiresGradient(true);
                a.up.setRequiresGradient(true);
            }
            for (int l = 0; l < 2; l++) {
                AdaptableLayer q = model.layers().get("cond_stage_model.transformer.text_model.encoder.layers." + l + ".self_attn.q_proj");
                Lora a = new Lora(q, manager.randomNormal(new Shape(4, 32)).mul(0.1f), manager.randomNormal(new Shape(32, 4)).mul(0.1f),
                        manager.create(0.5f));
                a.down.setRequiresGradient(true);
                a.up.setRequiresGradient(true);
                q.addAdapter(a);
                textAdapters.add(a);
            }
            NDArray x = Fixtures.array(manager, io.get("x"));
            x.setRequiresGradient(true);
            NDArray ids = Fixtures.array(manager, Fixtures.tensors("text_encoder_io.safetensors").get("input_ids")).get("0:2");
            try (GradientCollector collector = TensorRuntime.engine().newGradientCollector()) {
                NDArray context = model.encodeText(ids);
                NDArray eps = model.unet().forward(x, Fixtures.array(manager, io.get("timesteps")), context);
                NDArray loss = eps.mul(eps).mean();
                collector.backward(loss);
            }
            List<Lora> all = new ArrayList<>(adapters);
            all.addAll(textAdapters);
            for (Lora a : all) {
                for (NDArray p : new NDArray[] {a.down, a.up}) {
                    float[] g = p.getGradient().toFloatArray();
                    double norm = 0;
                    for (float v : g) {
                        assertTrue(Float.isFinite(v), "finite gradient");
                        norm += v * v;
                    }
                    assertTrue(norm > 0, "non-zero gradient");
                }
            }
            float[] gx = x.getGradient().toFloatArray();
            assertTrue(Float.isFinite(gx[0]) && java.util.Arrays.stream(box(gx)).anyMatch(v -> v != 0f), "latent gradient");
        } finally {
            for (Lora a : textAdapters) {
                for (AdaptableLayer layer : model.layers().values()) {
                    layer.removeAdapter(a);
                }
            }
            detach(adapters);
        }
    }

    private static Float[] box(float[] values) {
        Float[] out = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
