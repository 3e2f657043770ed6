package dev.lathe.sdxl.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.nn.Weights;
import dev.lathe.nn.clip.OpenClipKeys;
import dev.lathe.nn.vae.AutoencoderKL;
import dev.lathe.nn.vae.VaeConfig;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.TensorInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensor layout of a real SDXL base single-file checkpoint ({@code sd_xl_base_1.0.safetensors}:
 * 2.6 B UNet parameters, CLIP ViT-L and OpenCLIP ViT-bigG), names and shapes only, from the
 * model description in {@code fixtures/train/lora_keys_sdxl.json}:
 * <ul>
 * <li>the UNet tensors as listed ({@code diffusion_model.*} → {@code model.diffusion_model.*});
 * <li>text encoder 1 as listed in Hugging Face names ({@code clip_l.transformer.text_model.*} →
 *     {@code conditioner.embedders.0.transformer.text_model.*}, plus the int64 {@code position_ids}
 *     real files carry; the listed {@code text_projection} is not in SDXL files);
 * <li>text encoder 2 converted to the OpenCLIP layout SDXL files store it in
 *     ({@code conditioner.embedders.1.model.*}: q/k/v fused into {@code in_proj_weight [3W, W]},
 *     {@code text_projection [W, P]}, {@code logit_scale});
 * <li>the VAE, which the file does not list, as the blocks load the SD VAE (kl-f8, 128 channels).
 * </ul>
 * Shared with the memory benchmark, which writes a checkpoint of this layout with random weights.
 */
public final class RealSdxlCheckpoint {

    /** A tensor of the layout: its dtype as a real checkpoint stores it (int64 for position ids) and shape. */
    public record Entry(boolean int64, long[] shape) {
    }

    private RealSdxlCheckpoint() {
    }

    /** Every tensor of the layout in a stable order. */
    public static Map<String, Entry> layout(JsonNode loraKeysSdxl) {
        JsonNode weights = loraKeysSdxl.get("weights");
        Map<String, Entry> out = new LinkedHashMap<>();
        weights.get("unet").fields().forEachRemaining(e -> out.put("model." + e.getKey(), new Entry(false, shape(e.getValue()))));
        String clipL = "clip_l.transformer.text_model.";
        String clipG = "clip_g.transformer.text_model.";
        String te2 = "conditioner.embedders.1.model.";
        Map<String, long[]> fused = new LinkedHashMap<>();
        weights.get("text_encoders").fields().forEachRemaining(e -> {
            String name = e.getKey();
            long[] shape = shape(e.getValue());
            if (name.startsWith(clipL)) {
                out.put("conditioner.embedders.0.transformer.text_model." + name.substring(clipL.length()),
                        new Entry(false, shape));
            } else if (name.startsWith(clipG)) {
                String open = te2 + OpenClipKeys.toOpenClip(name.substring(clipG.length()));
                if (open.contains(".in_proj_")) {
                    long[] sum = fused.get(open);
                    if (sum == null) {
                        fused.put(open, shape);
                        out.put(open, null); // placed here, filled in below
                    } else {
                        sum[0] += shape[0];
                    }
                } else {
                    out.put(open, new Entry(false, shape));
                }
            } else if (name.equals("clip_g.transformer.text_projection.weight")) {
                out.put(te2 + "text_projection", new Entry(false, new long[] {shape[1], shape[0]}));
            }
        });
        fused.forEach((name, shape) -> out.put(name, new Entry(false, shape)));
        out.put(te2 + "logit_scale", new Entry(false, new long[0]));
        out.put("conditioner.embedders.0.transformer.text_model.embeddings.position_ids", new Entry(true, new long[] {1, 77}));
        Weights plan = Weights.plan();
        AutoencoderKL.load(plan.at("first_stage_model"), VaeConfig.sd());
        plan.requested().forEach((name, shape) -> out.put(name, new Entry(false, shape)));
        return out;
    }

    /** The layout as a safetensors header (offsets of a contiguous file), floating-point tensors as {@code dtype}. */
    public static Map<String, TensorInfo> header(Map<String, Entry> layout, DType dtype) {
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, Entry> e : layout.entrySet()) {
            DType type = e.getValue().int64() ? DType.I64 : dtype;
            long bytes = type.size();
            for (long d : e.getValue().shape()) {
                bytes *= d;
            }
            out.put(e.getKey(), new TensorInfo(e.getKey(), type, e.getValue().shape(), offset, offset + bytes));
            offset += bytes;
        }
        return out;
    }

    private static long[] shape(JsonNode array) {
        long[] s = new long[array.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = array.get(i).asLong();
        }
        return s;
    }
}
