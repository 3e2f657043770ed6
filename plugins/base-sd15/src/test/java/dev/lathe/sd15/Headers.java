package dev.lathe.sd15;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.nn.Weights;
import dev.lathe.nn.clip.ClipTextConfig;
import dev.lathe.nn.clip.ClipTextModel;
import dev.lathe.nn.clip.OpenClipKeys;
import dev.lathe.nn.unet.UNetConfig;
import dev.lathe.nn.unet.UNetModel;
import dev.lathe.nn.vae.AutoencoderKL;
import dev.lathe.nn.vae.VaeConfig;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.TensorInfo;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Checkpoint headers (names, shapes; no data) of real-size and synthetic architectures. */
final class Headers {

    private Headers() {
    }

    /** The key → shape layout the blocks load for these configs, in single-file names. */
    static Map<String, long[]> plan(UNetConfig unet, VaeConfig vae, ClipTextConfig text) {
        Weights w = Weights.plan();
        if (text != null) {
            ClipTextModel.load(w.at("cond_stage_model.transformer.text_model"), text);
        }
        if (vae != null) {
            AutoencoderKL.load(w.at("first_stage_model"), vae);
        }
        if (unet != null) {
            UNetModel.load(w.at("model.diffusion_model"), unet);
        }
        return w.requested();
    }

    static Map<String, TensorInfo> infos(Map<String, long[]> shapes) {
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long bytes = 4;
            for (long d : e.getValue()) {
                bytes *= d;
            }
            out.put(e.getKey(), new TensorInfo(e.getKey(), DType.F32, e.getValue(), offset, offset + bytes));
            offset += bytes;
        }
        return out;
    }

    /**
     * Real SD 1.5: the UNet and text-encoder tensors exactly as the shared fixture
     * {@code train/lora_keys_sd15.json} lists them (ComfyUI names, mapped back to the single-file
     * prefixes), the VAE from its known configuration, plus the usual extra buffers.
     */
    static Map<String, TensorInfo> realSd15() {
        Path json = Fixtures.shared("train/lora_keys_sd15.json");
        JsonNode weights = Fixtures.json(json).get("weights");
        Map<String, long[]> shapes = new LinkedHashMap<>();
        weights.get("unet").fields().forEachRemaining(e -> shapes.put("model." + e.getKey(), shape(e.getValue())));
        weights.get("text_encoders").fields().forEachRemaining(e -> {
            String name = e.getKey().replaceFirst("^clip_l\\.transformer\\.", "cond_stage_model.transformer.");
            if (!name.contains("text_projection")) {
                shapes.put(name, shape(e.getValue()));
            }
        });
        shapes.putAll(plan(null, VaeConfig.sd(), null));
        shapes.put("alphas_cumprod", new long[] {1000});
        return infos(shapes);
    }

    /**
     * A small SD 2.x-style checkpoint header: OpenCLIP text encoder (fused in_proj) with 1024-wide
     * context, linear projections, head width 64.
     */
    static Map<String, TensorInfo> sd2Style(int textLayers) {
        UNetConfig unet = new UNetConfig(4, 4, 128, java.util.List.of(1, 2), 1, java.util.List.of(1, 1), 1,
                -1, 64, 1024, true, 0);
        ClipTextConfig text = new ClipTextConfig(49408, 1024, textLayers, 16, 4096, 77, ClipTextConfig.Activation.GELU, 1e-5f);
        Map<String, long[]> hf = plan(unet, new VaeConfig(3, 3, 32, java.util.List.of(1, 2), 1, 4, 4), text);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        String hfPrefix = "cond_stage_model.transformer.text_model.";
        for (Map.Entry<String, long[]> e : hf.entrySet()) {
            if (!e.getKey().startsWith(hfPrefix)) {
                shapes.put(e.getKey(), e.getValue());
                continue;
            }
            String open = "cond_stage_model.model." + OpenClipKeys.toOpenClip(e.getKey().substring(hfPrefix.length()));
            long[] s = e.getValue().clone();
            if (open.contains("in_proj")) {
                s[0] *= 3;
            }
            shapes.put(open, s);
        }
        shapes.put("cond_stage_model.model.text_projection", new long[] {1024, 1024});
        shapes.put("cond_stage_model.model.logit_scale", new long[0]);
        return infos(shapes);
    }

    private static long[] shape(JsonNode array) {
        long[] s = new long[array.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = array.get(i).asLong();
        }
        return s;
    }
}
