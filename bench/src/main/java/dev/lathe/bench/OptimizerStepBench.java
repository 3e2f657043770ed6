package dev.lathe.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.Options;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.OptimizerFactory;
import dev.lathe.api.optim.Parameter;
import dev.lathe.api.optim.ParameterGroup;
import dev.lathe.optimizer.adafactor.AdafactorFactory;
import dev.lathe.optimizer.adamw.AdamWFactory;
import dev.lathe.runtime.TensorRuntime;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Times one optimizer step over a real-size SD 1.5 LoRA: every module kohya-ss targets by default
 * (192 UNet + 72 text-encoder Linear / 1x1-conv modules, from {@code lora_keys_sd15.json}) at
 * rank 96, about 57 M float32 parameters in two groups, with fixed random gradients. Warm-up
 * steps, then timed steps, then untimed "soak" steps; prints min / median / max of the timed
 * steps, the process CPU time per timed step, and the resident memory before the timed steps,
 * after them and after the soak (native memory must stay flat).
 * {@code bench/python/optimizer_step.py} does the same in PyTorch eager.
 *
 * <p>Usage: {@code OptimizerStepBench <lora_keys_sd15.json> [rank] [warmup] [timed] [soak] [optimizer...]}
 */
public final class OptimizerStepBench {

    public static void main(String[] args) throws Exception {
        Path keys = Path.of(args.length > 0 ? args[0] : "../shared/fixtures/train/lora_keys_sd15.json");
        int rank = args.length > 1 ? Integer.parseInt(args[1]) : 96;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int timed = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        int soak = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        List<String> optimizers = args.length > 5 ? Arrays.asList(args).subList(5, args.length) : List.of("adamw", "adafactor");

        List<Module> modules = modules(keys, rank);
        long count = modules.stream().mapToLong(m -> m.down.size() + m.up.size()).sum();
        System.out.printf("SD 1.5 LoRA rank %d: %d modules, %d tensors, %,d parameters%n",
                rank, modules.size(), modules.size() * 2, count);

        TensorRuntime.call(() -> {
            for (String id : optimizers) {
                run(id, modules, warmup, timed, soak);
            }
            return null;
        });
    }

    private static void run(String id, List<Module> modules, int warmup, int timed, int soak) {
        try (NDManager manager = TensorRuntime.newManager(Device.cpu())) {
            manager.getEngine().setRandomSeed(1234);
            List<Parameter> unet = new ArrayList<>();
            List<Parameter> textEncoder = new ArrayList<>();
            for (Module m : modules) {
                List<Parameter> group = m.name.startsWith("lora_te") ? textEncoder : unet;
                group.add(parameter(manager, m.name + ".lora_down.weight", m.down));
                group.add(parameter(manager, m.name + ".lora_up.weight", m.up));
            }
            setRandomGradients(manager, unet, textEncoder);

            OptimizerFactory factory = id.equals("adamw") ? new AdamWFactory() : new AdafactorFactory();
            // AdamW as kohya-ss runs it (lr 1e-4, torch defaults); Adafactor in relative-step mode (no lr).
            Double lr = id.equals("adamw") ? 1e-4 : null;
            try (Optimizer optimizer = factory.create(List.of(new ParameterGroup("unet", unet, lr),
                    new ParameterGroup("text_encoder", textEncoder, lr)), Options.empty())) {
                for (int i = 0; i < warmup; i++) {
                    optimizer.step();
                }
                long rssBefore = rssKiB();
                long cpuBefore = processCpuNanos();
                double[] ms = new double[timed];
                for (int i = 0; i < timed; i++) {
                    long start = System.nanoTime();
                    optimizer.step();
                    ms[i] = (System.nanoTime() - start) / 1e6;
                }
                double cpuMs = (processCpuNanos() - cpuBefore) / 1e6 / timed;
                long rssAfter = rssKiB();
                for (int i = 0; i < soak; i++) {
                    optimizer.step();
                }
                long rssSoaked = rssKiB();
                Arrays.sort(ms);
                double median = timed % 2 == 1 ? ms[timed / 2] : (ms[timed / 2 - 1] + ms[timed / 2]) / 2;
                System.out.printf("RESULT lathe %s steps=%d min_ms=%.1f median_ms=%.1f max_ms=%.1f cpu_ms=%.1f "
                        + "rss_mib_before=%.0f rss_mib_after=%.0f soak_steps=%d rss_mib_soaked=%.0f%n", id, timed, ms[0],
                        median, ms[timed - 1], cpuMs, rssBefore / 1024.0, rssAfter / 1024.0, soak, rssSoaked / 1024.0);
            }
        }
    }

    private static Parameter parameter(NDManager manager, String name, Shape shape) {
        // Kaiming-uniform-like scale; the values only matter for Adafactor's parameter RMS.
        NDArray value = manager.randomUniform(-0.05f, 0.05f, shape);
        value.setRequiresGradient(true);
        return new Parameter(name, value);
    }

    /** Gradients ~ N(0, 1e-3) through one backward pass of sum(p * g); they stay for every step. */
    private static void setRandomGradients(NDManager manager, List<Parameter> unet, List<Parameter> textEncoder) {
        try (NDScope scope = new NDScope(); GradientCollector collector = manager.getEngine().newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDArray loss = null;
            for (List<Parameter> group : List.of(unet, textEncoder)) {
                for (Parameter p : group) {
                    NDArray g = manager.randomNormal(0f, 1e-3f, p.value().getShape(), p.value().getDataType());
                    NDArray term = p.value().mul(g).sum();
                    loss = loss == null ? term : loss.add(term);
                }
            }
            collector.backward(loss);
        }
    }

    private record Module(String name, Shape down, Shape up) {
    }

    /** Down and up shapes of every default kohya LoRA module: linear [r,in]/[out,r], 1x1 conv with 1x1 kernels. */
    private static List<Module> modules(Path keys, int rank) throws IOException {
        JsonNode lora = new ObjectMapper().readTree(Files.readString(keys)).get("kohya").get("lora");
        List<Module> modules = new ArrayList<>();
        for (JsonNode m : lora) {
            String kind = m.get("kind").asText();
            Module module = switch (kind) {
                case "linear" -> new Module(m.get("name").asText(), new Shape(rank, m.get("in_features").asLong()),
                        new Shape(m.get("out_features").asLong(), rank));
                case "conv1x1" -> new Module(m.get("name").asText(), new Shape(rank, m.get("in_channels").asLong(), 1, 1),
                        new Shape(m.get("out_channels").asLong(), rank, 1, 1));
                default -> throw new IllegalArgumentException("unexpected module kind " + kind + " in " + keys);
            };
            modules.add(module);
        }
        return modules;
    }

    /** CPU time of the whole process (all threads), as Python's time.process_time() counts it. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no RSS figure
        }
        return -1;
    }
}
