package dev.lathe.bench;

import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.lora.CheckpointMerger;
import dev.lathe.lora.LoraFile;
import dev.lathe.lora.LoraToMerge;
import dev.lathe.lora.LoraWeights;
import dev.lathe.lora.SavePrecision;
import dev.lathe.nn.Weights;
import dev.lathe.nn.clip.ClipTextConfig;
import dev.lathe.nn.clip.ClipTextModel;
import dev.lathe.nn.unet.UNetConfig;
import dev.lathe.nn.unet.UNetModel;
import dev.lathe.nn.vae.AutoencoderKL;
import dev.lathe.nn.vae.VaeConfig;
import dev.lathe.pipeline.ProgressFactory;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.DeferredTensor;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import dev.lathe.safetensors.TensorInfo;
import dev.lathe.sd15.Sd15Family;
import dev.lathe.sd15.Sd15Model;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Memory and time of merging a LoRA into a full-size SD 1.5 checkpoint with {@link CheckpointMerger}.
 * Real weights are not on the build machines, so {@code write} generates a checkpoint of the real
 * SD 1.5 single-file layout (every tensor the UNet, VAE and CLIP ViT-L text encoder load, with the
 * real shapes: 1.07 G parameters) in float32, as {@code v1-5-pruned-emaonly.safetensors} is stored,
 * with random weights; the tensors are made one at a time as the writer reaches them, so the writer
 * itself needs one tensor of heap. {@code lora} writes a kohya LoRA of rank 32 on kohya's default
 * targets (UNet attention and text encoder, 264 modules), and {@code merge} merges it with the
 * product's code and prints the process's memory figures.
 *
 * <pre>
 *   MergeMemory write FILE
 *   MergeMemory lora CHECKPOINT LORA
 *   MergeMemory merge CHECKPOINT LORA OUT
 * </pre>
 * {@code bench/run-merge-memory.sh} runs all three (merge under {@code /usr/bin/time -v}) and deletes the files.
 */
public final class MergeMemory {

    private MergeMemory() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "write" -> write(Path.of(args[1]));
            case "lora" -> lora(Path.of(args[1]), Path.of(args[2]));
            case "merge" -> merge(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]));
            default -> throw new IllegalArgumentException("write FILE | lora CHECKPOINT LORA | merge CHECKPOINT LORA OUT");
        }
    }

    /** Every tensor an SD 1.5 checkpoint's blocks load, with its shape, under the single-file names. */
    static Map<String, long[]> layout() {
        Weights plan = Weights.plan();
        UNetModel.load(plan.at("model.diffusion_model"), UNetConfig.sd15());
        AutoencoderKL.load(plan.at("first_stage_model"), VaeConfig.sd());
        ClipTextModel.load(plan.at("cond_stage_model.transformer.text_model"), ClipTextConfig.vitL14());
        return plan.requested();
    }

    static void write(Path file) throws IOException {
        long start = System.nanoTime();
        Map<String, DeferredTensor> tensors = new LinkedHashMap<>();
        long parameters = 0;
        for (Map.Entry<String, long[]> e : layout().entrySet()) {
            long[] shape = e.getValue();
            long seed = e.getKey().hashCode();
            tensors.put(e.getKey(), new DeferredTensor(DType.F32, shape, () -> random(shape, seed, 0.02f)));
            parameters += count(shape);
        }
        SafeTensorsWriter.writeDeferred(file, tensors, Map.of("format", "pt", "lathe_bench", "random weights, real SD 1.5 layout"));
        System.out.printf("wrote %s: %d tensors, %d parameters, %.2f GB in %.0f s%n", file, tensors.size(), parameters,
                Files.size(file) / 1e9, (System.nanoTime() - start) / 1e9);
    }

    static void lora(Path checkpoint, Path target) throws IOException {
        List<LoraTarget> targets = new Sd15Family().loraTargets(SafeTensorsFile.readHeader(checkpoint), LoraScope.defaults());
        List<LoraWeights> modules = new ArrayList<>();
        int rank = 32;
        for (LoraTarget t : targets) {
            long[] down = t.conv() ? new long[] {rank, t.inFeatures(), t.kernel(), t.kernel()} : new long[] {rank, t.inFeatures()};
            long[] up = t.conv() ? new long[] {t.outFeatures(), rank, 1, 1} : new long[] {t.outFeatures(), rank};
            modules.add(new LoraWeights(t.loraName(), random(down, t.loraName().hashCode(), 0.05f),
                    random(up, ~t.loraName().hashCode(), 0.01f), 16f));
        }
        LoraFile.write(target, modules, SavePrecision.FP16, Map.of("ss_base_model_version", "sd_v1"));
        System.out.printf("wrote %s: %d modules, rank %d, %.1f MB%n", target, modules.size(), rank, Files.size(target) / 1e6);
    }

    static void merge(Path checkpoint, Path lora, Path target) throws IOException {
        Map<String, Long> before = memory();
        long start = System.nanoTime();
        CheckpointMerger.Merged merged;
        double loadSeconds;
        try (Sd15Model model = Sd15Model.load(checkpoint, LoadOptions.cpuFloat32())) {
            loadSeconds = (System.nanoTime() - start) / 1e9;
            merged = CheckpointMerger.merge(model, List.of(new LoraToMerge(lora, 1.0)), target, ProgressFactory.silent());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Long> after = memory();
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        try (SafeTensorsFile base = SafeTensorsFile.open(checkpoint); SafeTensorsFile out = SafeTensorsFile.open(target)) {
            if (base.tensors().size() != out.tensors().size() || base.fileSize() - base.dataOffset() != out.fileSize() - out.dataOffset()
                    || !out.metadata().containsKey(CheckpointMerger.PROVENANCE_KEY)) {
                throw new IllegalStateException("the merged file differs from the base in tensors or size");
            }
        }
        System.out.printf("RESULT {\"load_s\": %.1f, \"total_s\": %.1f, \"modules\": %d, \"tensors_changed\": %d, "
                + "\"out_gb\": %.2f, \"heap_peak_mb\": %d, \"heap_max_mb\": %d, \"before\": %s, \"after\": %s}%n", loadSeconds,
                seconds, merged.modules(), merged.tensors(), Files.size(target) / 1e9, heapPeak >> 20,
                Runtime.getRuntime().maxMemory() >> 20, json(before), json(after));
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Uniform values in ±scale, F32, from a seeded generator. */
    private static Tensor random(long[] shape, long seed, float scale) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = Math.toIntExact(count(shape));
        ByteBuffer bytes = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            bytes.putFloat((float) ((2 * random.nextDouble() - 1) * scale));
        }
        return Tensor.of(DType.F32, shape, bytes.flip());
    }

    /** VmRSS, RssAnon, RssFile and VmHWM of this process, in MB. */
    private static Map<String, Long> memory() throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
            for (String key : new String[] {"VmRSS", "RssAnon", "RssFile", "VmHWM"}) {
                if (line.startsWith(key + ":")) {
                    out.put(key, Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10);
                }
            }
        }
        return out;
    }

    private static String json(Map<String, Long> values) {
        StringBuilder s = new StringBuilder("{");
        values.forEach((k, v) -> s.append(s.length() > 1 ? ", " : "").append('"').append(k).append("_mb\": ").append(v));
        return s.append('}').toString();
    }
}
