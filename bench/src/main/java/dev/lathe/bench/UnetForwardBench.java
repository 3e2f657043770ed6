package dev.lathe.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.nn.Autograd;
import dev.lathe.nn.WeightSource;
import dev.lathe.nn.Weights;
import dev.lathe.nn.unet.UNetConfig;
import dev.lathe.nn.unet.UNetModel;
import dev.lathe.runtime.NDArrays;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * UNet forward benchmark (issue 3): the SD 1.5 UNet topology (BENCHMARK.md; channel_mult
 * [1,2,4,4], 2 res blocks, transformers at levels 0-2 and the middle, 8 heads, 1x1-conv
 * projections, context 768) at a given model_channels, with deterministic random weights this
 * class generates and stores in the single-file SD layout, so that {@code bench/python/unet_forward.py}
 * computes the same thing from the same file.
 *
 * <pre>
 *   UnetForwardBench DIR CHANNELS LATENT BATCH WARMUP RUNS
 * </pre>
 * writes {@code DIR/unet-<CHANNELS>.safetensors} and {@code DIR/inputs-<LATENT>-<BATCH>.safetensors}
 * if absent, loads the UNet through the product's loading path (memory-mapped, zero-copy F32),
 * runs WARMUP untimed and RUNS timed forward passes without autograd, prints one {@code RESULT}
 * line (JSON) and writes its output to {@code DIR/lathe-eps-<CHANNELS>-<LATENT>-<BATCH>.safetensors}.
 * With {@code -Dlathe.bench.trace=FILE} it also writes libtorch's profiler trace of one more
 * forward pass (chrome trace JSON) to FILE.
 */
public final class UnetForwardBench {

    private UnetForwardBench() {
    }

    static UNetConfig config(int channels) {
        return BenchCheckpoints.unet(channels);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int channels = Integer.parseInt(args[1]);
        int latent = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        int warmup = Integer.parseInt(args[4]);
        int runs = Integer.parseInt(args[5]);
        Files.createDirectories(dir);
        UNetConfig config = config(channels);
        Path checkpoint = dir.resolve("unet-" + channels + ".safetensors");
        Path inputs = dir.resolve("inputs-" + latent + "-" + batch + ".safetensors");
        if (!Files.exists(checkpoint)) {
            writeCheckpoint(checkpoint, config);
        }
        if (!Files.exists(inputs)) {
            writeInputs(inputs, latent, batch);
        }

        try (NDManager manager = TensorRuntime.newManager(Device.cpu());
                SafeTensorsFile weightsFile = SafeTensorsFile.open(checkpoint);
                SafeTensorsFile inputFile = SafeTensorsFile.open(inputs)) {
            long loadStart = System.nanoTime();
            Weights w = Weights.load(WeightSource.of(weightsFile), manager, DataType.FLOAT32);
            UNetModel unet = UNetModel.load(w.at("model.diffusion_model"), config);
            if (!w.problems().isEmpty()) {
                throw new IllegalStateException(w.problemSummary(5));
            }
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            NDArray x = NDArrays.fromTensor(manager, inputFile.tensor("x"));
            NDArray t = NDArrays.fromTensor(manager, inputFile.tensor("timesteps"));
            NDArray context = NDArrays.fromTensor(manager, inputFile.tensor("context"));

            long[] rss = new long[2];
            double[] measured = Autograd.inference(() -> {
                for (int i = 0; i < warmup; i++) {
                    forward(unet, x, t, context, null);
                }
                rss[0] = rssMb("VmRSS:");
                double[] times = new double[2 * runs];
                for (int i = 0; i < runs; i++) {
                    long cpu = processCpuNanos();
                    long start = System.nanoTime();
                    forward(unet, x, t, context, null);
                    times[i] = (System.nanoTime() - start) / 1e9;
                    times[runs + i] = (processCpuNanos() - cpu) / 1e9;
                }
                rss[1] = rssMb("VmRSS:");
                return times;
            });
            String trace = System.getProperty("lathe.bench.trace");
            if (trace != null) {
                // libtorch's profiler over one more forward; summarize with bench/python/trace_summary.py
                ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
                Autograd.inference(() -> forward(unet, x, t, context, null));
                ai.djl.pytorch.jni.JniUtils.stopProfile(trace);
            }
            Tensor[] eps = new Tensor[1];
            Autograd.inference(() -> forward(unet, x, t, context, eps));
            SafeTensorsWriter.write(dir.resolve("lathe-eps-" + channels + "-" + latent + "-" + batch + ".safetensors"),
                    Map.of("eps", eps[0]), Map.of());
            double[] cpuSeconds = Arrays.copyOfRange(measured, runs, 2 * runs);
            double[] seconds = Arrays.copyOf(measured, runs);
            double[] sorted = seconds.clone();
            Arrays.sort(sorted);
            double[] cpuSorted = cpuSeconds.clone();
            Arrays.sort(cpuSorted);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("side", "lathe");
            result.put("channels", channels);
            result.put("latent", latent);
            result.put("batch", batch);
            result.put("runs", runs);
            result.put("min", sorted[0]);
            result.put("median", median(sorted));
            result.put("max", sorted[sorted.length - 1]);
            result.put("times", seconds);
            result.put("cpu_median", median(cpuSorted));
            result.put("cpu_times", cpuSeconds);
            result.put("load_seconds", loadSeconds);
            result.put("peak_rss_mb", rssMb("VmHWM:"));
            result.put("rss_after_warmup_mb", rss[0]);
            result.put("rss_after_runs_mb", rss[1]);
            result.put("parameters", weightsFile.parameterCount());
            result.put("engine", TensorRuntime.describe());
            System.out.println("RESULT " + new ObjectMapper().writeValueAsString(result));
        }
    }

    /** One forward pass; its arrays are freed on return. Copies the output to {@code keep[0]} if given. */
    private static float forward(UNetModel unet, NDArray x, NDArray t, NDArray context, Tensor[] keep) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray eps = unet.forward(x, t, context);
            if (keep != null) {
                keep[0] = NDArrays.toTensor(eps, dev.lathe.safetensors.DType.F32);
            }
            return eps.getFloat(0, 0, 0, 0); // reads the result, as the Python side does
        }
    }

    /** CPU time of the whole process (all threads, OpenMP workers included). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** A memory figure of this process from /proc/self/status (VmRSS:, VmHWM:), in MB. */
    static long rssMb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }

    /**
     * Every UNet tensor of {@code config} with deterministic random values ({@link
     * BenchCheckpoints#writeRandom}) in the SD 1.x single-file layout ({@code model.diffusion_model.*});
     * the config goes into {@code unet_config}.
     */
    static void writeCheckpoint(Path file, UNetConfig config) throws IOException {
        Weights plan = Weights.plan();
        UNetModel.load(plan.at("model.diffusion_model"), config);
        BenchCheckpoints.writeRandom(file, plan.requested(), Map.of("unet_config", BenchCheckpoints.ldmConfig(config),
                "generator", "lathe UnetForwardBench"));
    }

    /** x ~ U(-1.7, 1.7) (unit variance), timesteps 500, context ~ U(-1.7, 1.7); seeded. */
    static void writeInputs(Path file, int latent, int batch) throws IOException {
        SplittableRandom random = new SplittableRandom(20240615);
        float[] x = new float[batch * 4 * latent * latent];
        float[] context = new float[batch * 77 * 768];
        for (float[] a : List.of(x, context)) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) random.nextDouble(-Math.sqrt(3), Math.sqrt(3));
            }
        }
        long[] t = new long[batch];
        Arrays.fill(t, 500);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("x", Tensor.ofFloats(new long[] {batch, 4, latent, latent}, x));
        tensors.put("timesteps", Tensor.ofLongs(new long[] {batch}, t));
        tensors.put("context", Tensor.ofFloats(new long[] {batch, 77, 768}, context));
        SafeTensorsWriter.write(file, tensors, Map.of());
    }
}
