package dev.lathe.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.Options;
import dev.lathe.api.model.Conditioning;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.Parameter;
import dev.lathe.api.optim.ParameterGroup;
import dev.lathe.lora.LoraAttachment;
import dev.lathe.lora.LoraDims;
import dev.lathe.lora.LoraDropout;
import dev.lathe.lora.LoraNetwork;
import dev.lathe.lora.ModelLoras;
import dev.lathe.lora.ModelPart;
import dev.lathe.nn.Autograd;
import dev.lathe.nn.clip.ClipTextConfig;
import dev.lathe.nn.unet.UNetConfig;
import dev.lathe.optim.Gradients;
import dev.lathe.optimizer.adamw.AdamWFactory;
import dev.lathe.runtime.NDArrays;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import dev.lathe.sd15.Sd15Model;
import dev.lathe.train.diffusion.DiffusionLoss;
import dev.lathe.train.diffusion.ForwardProcess;
import dev.lathe.train.diffusion.LossWeighting;
import dev.lathe.train.diffusion.Noise;
import dev.lathe.train.diffusion.NoiseSchedule;
import dev.lathe.train.diffusion.Prediction;
import dev.lathe.train.diffusion.UniformTimesteps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * The standard training-step benchmark of BENCHMARK.md on the product's code: one kohya-style
 * LoRA step (UNet only, cached latents) on an SD 1.5-architecture checkpoint loaded with {@link
 * Sd15Model#load}, LoRA rank 16 / alpha 1 on the 192 transformer modules ({@link ModelLoras},
 * {@link LoraNetwork}, {@link LoraAttachment}), AdamW from the {@code adamw} plugin, gradient
 * clipping to a global norm of 1 ({@link Gradients}), the DDPM maths of {@code dev.lathe.train.diffusion};
 * {@code bench/python/train_step.py} is the same step in PyTorch eager.
 *
 * <pre>
 *   TrainStepBench generate DIR CONFIG          writes DIR/sd15-CONFIG.safetensors (mid: 128 channels, full: 320)
 *   TrainStepBench time CHECKPOINT LATENT BATCH WARMUP STEPS
 *   TrainStepBench rss  CHECKPOINT LATENT BATCH STEPS EVERY
 *   TrainStepBench ab   CHECKPOINT LATENT BATCH PAIRS PROPERTY
 * </pre>
 * {@code time} runs WARMUP untimed and STEPS timed steps and prints one {@code RESULT} line (JSON:
 * wall and CPU time per step, per phase, peak RSS). {@code rss} runs STEPS steps and prints the
 * resident memory (VmRSS) every EVERY steps. With {@code -Dlathe.bench.trace=FILE}, {@code time}
 * also writes libtorch's profiler trace of one more step (chrome trace JSON); with
 * {@code -Dlathe.bench.lora=false} it attaches no LoRA and runs no optimizer (backward still
 * reaches the noisy latents), to measure what the LoRA costs. {@code ab} is for trying a change
 * to the product: guard the old code with {@code Boolean.getBoolean(PROPERTY)} (temporarily), and
 * it alternates the property false/true step by step, so that load from other processes hits
 * both variants alike, and prints the medians and the median of the paired differences.
 */
public final class TrainStepBench {

    /** The caption of BENCHMARK.md, tokenized: "photo of sks woman, portrait, ...". */
    static final long[] CAPTION = {49406, 1125, 539, 48136, 2308, 267, 5352, 267, 1312, 536, 15061, 267, 3490, 267,
        7067, 1774, 267, 10469, 267, 3288, 1395, 49407};
    static final int TOKENS = 77;
    static final long END_OF_TEXT = 49407;

    /** The phases of a step, in order; each time is the wall clock from the previous mark. */
    static final List<String> PHASES = List.of("inputs_text", "forward", "backward", "clip", "optimizer");

    private TrainStepBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "generate" -> generate(Path.of(args[1]), args[2]);
            case "time" -> TensorRuntime.call(() -> {
                time(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                        Integer.parseInt(args[5]));
                return null;
            });
            case "rss" -> TensorRuntime.call(() -> {
                rss(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                        Integer.parseInt(args[5]));
                return null;
            });
            case "ab" -> TensorRuntime.call(() -> {
                ab(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]), args[5]);
                return null;
            });
            default -> throw new IllegalArgumentException("mode generate, time or rss, got " + args[0]);
        }
    }

    /** Writes the benchmark checkpoint of size {@code config} ({@code mid} or {@code full}) unless it exists. */
    static void generate(Path dir, String config) throws Exception {
        int channels = switch (config) {
            case "mid" -> 128;
            case "full" -> 320;
            default -> throw new IllegalArgumentException("config mid or full, got " + config);
        };
        Path file = dir.resolve("sd15-" + config + ".safetensors");
        if (Files.exists(file)) {
            System.out.println("exists: " + file);
            return;
        }
        Files.createDirectories(dir);
        UNetConfig unet = BenchCheckpoints.unet(channels);
        ClipTextConfig text = BenchCheckpoints.clipVitL();
        Map<String, long[]> shapes = BenchCheckpoints.sd15Shapes(unet, text, BenchCheckpoints.tinyVae());
        BenchCheckpoints.writeRandom(file, shapes, Map.of("unet_config", BenchCheckpoints.ldmConfig(unet),
                "text_config", BenchCheckpoints.hfTextConfig(text), "generator", "lathe TrainStepBench"));
        System.out.printf("wrote %s: UNet %,d parameters, text encoder %,d, VAE %,d%n", file,
                BenchCheckpoints.parameterCount(shapes, "model.diffusion_model."),
                BenchCheckpoints.parameterCount(shapes, "cond_stage_model."),
                BenchCheckpoints.parameterCount(shapes, "first_stage_model."));
    }

    /** Everything a step needs, set up once (not timed). */
    private static final class Rig implements AutoCloseable {
        final Sd15Model model;
        final NDManager manager;
        final LoraNetwork network;
        final LoraAttachment attachment;
        final List<Parameter> parameters;
        final Optimizer optimizer;
        final NDArray inputIds;
        final NDArray cachedLatents;
        final NDArray latentScale;
        final ForwardProcess forward;
        final UniformTimesteps timesteps;
        final DiffusionLoss loss;
        final SplittableRandom random = new SplittableRandom(1234);
        final Engine engine;
        final int batch;

        Rig(Path checkpoint, int latent, int batch) {
            this.batch = batch;
            model = Sd15Model.load(checkpoint, LoadOptions.cpuFloat32());
            manager = model.manager().newSubManager();
            engine = manager.getEngine();
            List<ModelLoras.Bound> bound = ModelLoras.forTargets(model, new LoraScope(true, false, false),
                    LoraDims.of(16, 1f));
            network = LoraNetwork.create(manager, bound.stream().map(ModelLoras.Bound::spec).toList(), 42, 1f,
                    LoraDropout.none());
            // -Dlathe.bench.lora=false: no LoRA attached, no optimizer; backward still runs to the
            // noisy latents, so the difference to a normal run is what the LoRA costs
            boolean withLora = !"false".equals(System.getProperty("lathe.bench.lora"));
            attachment = LoraAttachment.attach(network, withLora ? bound : List.of(), null);
            Predicate<ModelPart> unet = part -> !part.isTextEncoder();
            parameters = withLora ? network.parameters(unet) : List.of();
            parameters.forEach(p -> p.value().setRequiresGradient(true));
            optimizer = withLora
                    ? new AdamWFactory().create(List.of(new ParameterGroup("unet", parameters, 1e-4)), Options.empty())
                    : null;

            long[] ids = new long[batch * TOKENS];
            for (int b = 0; b < batch; b++) {
                Arrays.fill(ids, b * TOKENS, (b + 1) * TOKENS, END_OF_TEXT);
                System.arraycopy(CAPTION, 0, ids, b * TOKENS, CAPTION.length);
            }
            inputIds = manager.create(ids, new Shape(batch, TOKENS));
            // cached latents = N(0, 1) / 0.18215, as a VAE encoding divided back would be
            try (NDArray normal = Noise.standardNormal(manager, new Shape(batch, 4, latent, latent), new SplittableRandom(7))) {
                cachedLatents = normal.div(model.latentScale());
            }
            latentScale = manager.create(model.latentScale());
            NoiseSchedule schedule = NoiseSchedule.stableDiffusion();
            forward = new ForwardProcess(schedule);
            timesteps = UniformTimesteps.all(schedule);
            loss = new DiffusionLoss(schedule, Prediction.EPSILON, LossWeighting.none());
        }

        /**
         * Writes the text encoding of the caption and the UNet output (LoRA attached, still the
         * identity as its up weights are zero) for seeded inputs, for train_step.py to compare with.
         */
        void writeCheck(Path file) throws java.io.IOException {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Autograd.inference(() -> {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray context = model.encodeText(inputIds);
                    NDArray x = Noise.standardNormal(manager, cachedLatents.getShape(), new SplittableRandom(11));
                    long[] t = new long[batch];
                    Arrays.fill(t, 500);
                    NDArray eps = model.predict(x, manager.create(t), new Conditioning(context, null));
                    tensors.put("input_ids", NDArrays.toTensor(inputIds, DType.I64));
                    tensors.put("context", NDArrays.toTensor(context, DType.F32));
                    tensors.put("x", NDArrays.toTensor(x, DType.F32));
                    tensors.put("timesteps", Tensor.ofLongs(new long[] {batch}, t));
                    tensors.put("eps", NDArrays.toTensor(eps, DType.F32));
                }
                return null;
            });
            SafeTensorsWriter.write(file, tensors, Map.of());
        }

        long loraParameterCount() {
            return parameters.stream().mapToLong(p -> p.value().size()).sum();
        }

        /** One training step; returns the loss and fills {@code nanos} with the wall time of each phase. */
        float step(long[] nanos) {
            long mark = System.nanoTime();
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray latents = cachedLatents.mul(latentScale);
                NDArray context = Autograd.inference(() -> model.encodeText(inputIds));
                NDArray noise = Noise.standardNormal(manager, cachedLatents.getShape(), random);
                long[] t = timesteps.sample(batch, random);
                NDArray noisy = forward.addNoise(latents, noise, t);
                noisy.setRequiresGradient(true); // as kohya: backward then reaches the first layers
                NDArray tArray = manager.create(t);
                mark = lap(nanos, 0, mark);
                try (GradientCollector collector = engine.newGradientCollector()) {
                    NDArray prediction = model.predict(noisy, tArray, new Conditioning(context, null));
                    NDArray value = loss.loss(prediction, noise, t, null);
                    mark = lap(nanos, 1, mark);
                    collector.backward(value);
                    mark = lap(nanos, 2, mark);
                    Gradients.clipGlobalNorm(parameters, 1.0);
                    mark = lap(nanos, 3, mark);
                    if (optimizer != null) {
                        optimizer.step();
                    }
                    Gradients.clear(parameters);
                    float result = value.getFloat();
                    lap(nanos, 4, mark);
                    return result;
                }
            }
        }

        private static long lap(long[] nanos, int phase, long since) {
            long now = System.nanoTime();
            nanos[phase] = now - since;
            return now;
        }

        @Override
        public void close() {
            if (optimizer != null) {
                optimizer.close();
            }
            attachment.close();
            network.close();
            manager.close();
            model.close();
        }
    }

    static void time(Path checkpoint, int latent, int batch, int warmup, int steps) throws Exception {
        long loadStart = System.nanoTime();
        try (Rig rig = new Rig(checkpoint, latent, batch)) {
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            rig.writeCheck(checkFile(checkpoint, latent, batch));
            long[] nanos = new long[PHASES.size()];
            float firstLoss = Float.NaN;
            for (int i = 0; i < warmup; i++) {
                float l = rig.step(nanos);
                firstLoss = i == 0 ? l : firstLoss;
            }
            long rssAfterWarmup = UnetForwardBench.rssMb("VmRSS:");
            double[] seconds = new double[steps];
            double[] cpu = new double[steps];
            double[][] phases = new double[PHASES.size()][steps];
            String loadAverages = loadAverage();
            float lastLoss = Float.NaN;
            for (int i = 0; i < steps; i++) {
                long cpuStart = UnetForwardBench.processCpuNanos();
                long start = System.nanoTime();
                lastLoss = rig.step(nanos);
                seconds[i] = (System.nanoTime() - start) / 1e9;
                cpu[i] = (UnetForwardBench.processCpuNanos() - cpuStart) / 1e9;
                for (int p = 0; p < nanos.length; p++) {
                    phases[p][i] = nanos[p] / 1e9;
                }
            }
            long rssAfterSteps = UnetForwardBench.rssMb("VmRSS:");
            String trace = System.getProperty("lathe.bench.trace");
            if (trace != null) {
                ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
                rig.step(nanos);
                ai.djl.pytorch.jni.JniUtils.stopProfile(trace);
            }

            Map<String, Object> result = new LinkedHashMap<>();
            result.put("side", "lathe");
            result.put("checkpoint", checkpoint.getFileName().toString());
            result.put("latent", latent);
            result.put("batch", batch);
            result.put("warmup", warmup);
            result.put("steps", steps);
            double[] sorted = seconds.clone();
            Arrays.sort(sorted);
            result.put("min", sorted[0]);
            result.put("median", median(seconds));
            result.put("max", sorted[sorted.length - 1]);
            result.put("times", seconds);
            result.put("cpu_median", median(cpu));
            result.put("cpu_times", cpu);
            Map<String, Double> phaseMedians = new LinkedHashMap<>();
            for (int p = 0; p < PHASES.size(); p++) {
                phaseMedians.put(PHASES.get(p), median(phases[p]));
            }
            result.put("phase_medians", phaseMedians);
            result.put("load_seconds", loadSeconds);
            result.put("loss_first_last", new float[] {firstLoss, lastLoss});
            result.put("lora_modules", rig.attachment.size());
            result.put("lora_parameters", rig.loraParameterCount());
            result.put("peak_rss_mb", UnetForwardBench.rssMb("VmHWM:"));
            result.put("rss_after_warmup_mb", rssAfterWarmup);
            result.put("rss_after_steps_mb", rssAfterSteps);
            result.put("load_average_at_start", loadAverages);
            result.put("load_average_at_end", loadAverage());
            result.put("engine", TensorRuntime.describe());
            System.out.println("RESULT " + new ObjectMapper().writeValueAsString(result));
        }
    }

    /** Where {@code time} leaves the outputs train_step.py compares its own with. */
    static Path checkFile(Path checkpoint, int latent, int batch) {
        String name = checkpoint.getFileName().toString().replaceFirst("\\.safetensors$", "");
        return Path.of(System.getProperty("lathe.bench.checkDir", checkpoint.toAbsolutePath().getParent().toString()))
                .resolve(name + ".check-" + latent + "-" + batch + ".safetensors");
    }

    static void rss(Path checkpoint, int latent, int batch, int steps, int every) throws Exception {
        try (Rig rig = new Rig(checkpoint, latent, batch)) {
            long[] nanos = new long[PHASES.size()];
            List<long[]> series = new ArrayList<>();
            series.add(new long[] {0, UnetForwardBench.rssMb("VmRSS:"), UnetForwardBench.rssMb("RssAnon:"),
                rig.model.manager().getManagedArrays().size()});
            System.out.printf("RSS step=0 rss_mib=%d anon_mib=%d ndarrays=%d load=%s%n", series.get(0)[1], series.get(0)[2],
                    series.get(0)[3], loadAverage());
            long start = System.nanoTime();
            float loss = Float.NaN;
            for (int i = 1; i <= steps; i++) {
                loss = rig.step(nanos);
                if (i % every == 0) {
                    long rss = UnetForwardBench.rssMb("VmRSS:");
                    // anonymous memory (native allocations and the Java heap) apart from the pages of
                    // the memory-mapped checkpoint, and the heap's committed size
                    long anon = UnetForwardBench.rssMb("RssAnon:");
                    long heap = Runtime.getRuntime().totalMemory() >> 20;
                    // every array alive below the model's manager (weights, LoRA, optimizer state, inputs)
                    int arrays = rig.model.manager().getManagedArrays().size();
                    series.add(new long[] {i, rss, anon, arrays});
                    System.out.printf("RSS step=%d rss_mib=%d anon_mib=%d java_heap_committed_mib=%d ndarrays=%d loss=%.5f "
                            + "elapsed_s=%.1f load=%s%n", i, rss, anon, heap, arrays, loss, (System.nanoTime() - start) / 1e9,
                            loadAverage());
                }
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("side", "lathe");
            result.put("checkpoint", checkpoint.getFileName().toString());
            result.put("latent", latent);
            result.put("batch", batch);
            result.put("steps", steps);
            result.put("step_rss_anon_mib_ndarrays", series);
            result.put("peak_rss_mb", UnetForwardBench.rssMb("VmHWM:"));
            result.put("glibc_tunables", String.valueOf(System.getenv("GLIBC_TUNABLES")));
            System.out.println("RESULT " + new ObjectMapper().writeValueAsString(result));
        }
    }

    /** Alternates system property {@code property} false/true step by step (2 warm-up pairs, then PAIRS timed). */
    static void ab(Path checkpoint, int latent, int batch, int pairs, String property) throws Exception {
        try (Rig rig = new Rig(checkpoint, latent, batch)) {
            long[] nanos = new long[PHASES.size()];
            double[][] wall = new double[2][pairs];
            double[][] cpu = new double[2][pairs];
            double[][][] phase = new double[2][PHASES.size()][pairs];
            for (int i = -2; i < pairs; i++) {
                for (int k = 0; k < 2; k++) {
                    System.setProperty(property, Boolean.toString(k == 1));
                    long c = UnetForwardBench.processCpuNanos();
                    long w = System.nanoTime();
                    rig.step(nanos);
                    if (i >= 0) {
                        wall[k][i] = (System.nanoTime() - w) / 1e9;
                        cpu[k][i] = (UnetForwardBench.processCpuNanos() - c) / 1e9;
                        for (int p = 0; p < nanos.length; p++) {
                            phase[k][p][i] = nanos[p] / 1e9;
                        }
                    }
                }
            }
            double[] diff = new double[pairs];
            double[] cdiff = new double[pairs];
            for (int i = 0; i < pairs; i++) {
                diff[i] = wall[1][i] - wall[0][i];
                cdiff[i] = cpu[1][i] - cpu[0][i];
            }
            for (int k = 0; k < 2; k++) {
                StringBuilder ph = new StringBuilder();
                for (int p = 0; p < PHASES.size(); p++) {
                    ph.append(String.format(" %s=%.4f", PHASES.get(p), median(phase[k][p])));
                }
                System.out.printf("AB %s=%s wall_median=%.4f cpu_median=%.4f%s%n", property, k == 1, median(wall[k]),
                        median(cpu[k]), ph);
            }
            System.out.printf("AB paired (true - false): wall median %.4f, cpu median %.4f; load %s%n", median(diff),
                    median(cdiff), loadAverage());
        }
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return UnetForwardBench.median(sorted);
    }
}
