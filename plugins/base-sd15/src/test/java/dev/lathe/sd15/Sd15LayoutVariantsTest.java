package dev.lathe.sd15;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SD 2.x-style layouts of the same weights compute the same outputs: the text encoder stored
 * in OpenCLIP layout (fused {@code in_proj}, {@code resblocks}, {@code ln_final}) and the UNet's
 * transformer projections stored as Linear weights.
 */
class Sd15LayoutVariantsTest {

    @TempDir
    Path temp;

    /**
     * The tiny checkpoint with its text encoder in SD 2.x's OpenCLIP layout (q/k/v fused into
     * {@code in_proj_weight}/{@code in_proj_bias}, {@code resblocks}, {@code ln_final}), written to {@code file}.
     */
    static Path openClipVariant(Path file) {
        Map<String, Tensor> tiny = Fixtures.tensors(Fixtures.tiny());
        Map<String, Tensor> out = new LinkedHashMap<>();
        String hf = "cond_stage_model.transformer.text_model.";
        String open = "cond_stage_model.model.";
        tiny.forEach((name, t) -> {
            if (!name.startsWith(hf)) {
                out.put(name, t);
            }
        });
        out.put(open + "token_embedding.weight", tiny.get(hf + "embeddings.token_embedding.weight"));
        out.put(open + "positional_embedding", tiny.get(hf + "embeddings.position_embedding.weight"));
        out.put(open + "ln_final.weight", tiny.get(hf + "final_layer_norm.weight"));
        out.put(open + "ln_final.bias", tiny.get(hf + "final_layer_norm.bias"));
        for (int l = 0; l < 2; l++) {
            String from = hf + "encoder.layers." + l + ".";
            String to = open + "transformer.resblocks." + l + ".";
            for (String kind : List.of("weight", "bias")) {
                out.put(to + "attn.in_proj_" + kind, Rewrite.concatRows(tiny.get(from + "self_attn.q_proj." + kind),
                        tiny.get(from + "self_attn.k_proj." + kind), tiny.get(from + "self_attn.v_proj." + kind)));
                out.put(to + "attn.out_proj." + kind, tiny.get(from + "self_attn.out_proj." + kind));
                out.put(to + "ln_1." + kind, tiny.get(from + "layer_norm1." + kind));
                out.put(to + "ln_2." + kind, tiny.get(from + "layer_norm2." + kind));
                out.put(to + "mlp.c_fc." + kind, tiny.get(from + "mlp.fc1." + kind));
                out.put(to + "mlp.c_proj." + kind, tiny.get(from + "mlp.fc2." + kind));
            }
        }
        Rewrite.write(file, out, Fixtures.metadata(Fixtures.tiny())); // text_config keeps quick_gelu and 2 heads
        return file;
    }

    /** The tiny checkpoint with the UNet's transformer {@code proj_in}/{@code proj_out} stored as Linear weights. */
    static Path linearProjectionVariant(Path file) {
        Map<String, Tensor> tiny = new LinkedHashMap<>(Fixtures.tensors(Fixtures.tiny()));
        tiny.replaceAll((name, t) -> name.startsWith("model.diffusion_model.") && name.matches(".*\\.(proj_in|proj_out)\\.weight") && t.shape().length == 4
                ? Rewrite.reshaped(t, t.shape()[0], t.shape()[1]) : t);
        Rewrite.write(file, tiny, Fixtures.metadata(Fixtures.tiny()));
        return file;
    }

    @Test
    void openClipLayoutOfTheTextEncoder() {
        String hf = "cond_stage_model.transformer.text_model.";
        Path file = openClipVariant(temp.resolve("openclip.safetensors"));
        Map<String, Tensor> io = Fixtures.tensors("text_encoder_io.safetensors");
        Map<String, double[]> tol = Fixtures.tolerances();
        try (Sd15Model model = Sd15Model.load(file, LoadOptions.cpuFloat32());
                NDManager m = TensorRuntime.newManager(Device.cpu()); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            assertEquals("SD 2.x", model.spec().variant());
            assertEquals(2, model.spec().defaultClipSkip(), "SD 2.x uses the penultimate layer");
            NDArray ids = Fixtures.array(m, io.get("input_ids"));
            for (String key : List.of("last_hidden_state", "penultimate_hidden_state")) {
                int skip = key.startsWith("last") ? 1 : 2;
                double[] t = tol.get("text_encoder_io.safetensors:" + key);
                Fixtures.assertClose(key, io.get(key), Fixtures.floats(model.textEncoder().encode(ids, skip)), t[0], t[1]);
            }
            Fixtures.assertClose("default", io.get("penultimate_hidden_state"), Fixtures.floats(model.encodeText(ids)),
                    5e-5, 1e-4);
            assertTrue(model.layers().containsKey(hf + "encoder.layers.1.self_attn.k_proj"));
            for (dev.lathe.api.model.LoraTarget t : model.loraTargets(dev.lathe.api.model.LoraScope.defaults())) {
                assertTrue(model.layers().containsKey(t.weightKey().replaceFirst("\\.weight$", "")), t.weightKey());
            }
        }
    }

    @Test
    void linearTransformerProjections() {
        Path file = linearProjectionVariant(temp.resolve("linear.safetensors"));
        Map<String, Tensor> io = Fixtures.tensors("unet_io.safetensors");
        double[] t = Fixtures.tolerances().get("unet_io.safetensors:eps");
        try (Sd15Model model = Sd15Model.load(file, LoadOptions.cpuFloat32());
                NDManager m = TensorRuntime.newManager(Device.cpu()); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            assertTrue(model.spec().unet().linearProjection());
            NDArray eps = model.unet().forward(Fixtures.array(m, io.get("x")), Fixtures.array(m, io.get("timesteps")),
                    Fixtures.array(m, io.get("context")));
            Fixtures.assertClose("eps", io.get("eps"), Fixtures.floats(eps), t[0], t[1]);
        }
    }
}
