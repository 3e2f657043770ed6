package dev.lathe.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.api.Plugin;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.Recognition;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.OptimizerFactory;
import dev.lathe.api.optim.Parameter;
import dev.lathe.api.optim.ParameterGroup;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.api.regularization.RegularizationRequest;
import dev.lathe.api.regularization.RegularizationStrategy;
import dev.lathe.boot.LatheCommand;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * Starts Felix with the real bundles of the distribution and checks that every service resolves
 * through the registry by its {@code id} and works when called.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ServiceRegistryIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return LatheContainer.options();
    }

    @Test
    public void everyInstalledBundleIsActive() {
        for (Bundle bundle : context.getBundles()) {
            boolean fragment = bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (!fragment) {
                assertEquals(bundle.getSymbolicName() + " is not active", Bundle.ACTIVE, bundle.getState());
            }
        }
        Set<String> names = java.util.Arrays.stream(context.getBundles()).map(Bundle::getSymbolicName)
                .collect(Collectors.toSet());
        assertTrue(names.toString(), names.containsAll(List.of("dev.lathe.framework", "dev.lathe.cli",
                "dev.lathe.base-sd15", "dev.lathe.base-sdxl", "dev.lathe.stage-train", "dev.lathe.stage-generate",
                "dev.lathe.stage-merge", "org.example.lathe.sgd")));
    }

    @Test
    public void everyRegisteredPluginAnswersToItsId() throws Exception {
        List<Class<? extends Plugin>> kinds = List.of(RegularizationStrategy.class, OptimizerFactory.class,
                StageType.class, dev.lathe.api.model.BaseModelFamily.class, dev.lathe.api.caption.Captioner.class,
                dev.lathe.api.eval.Evaluator.class);
        int seen = 0;
        for (Class<? extends Plugin> kind : kinds) {
            for (ServiceReference<? extends Plugin> ref : context.getServiceReferences(kind, null)) {
                Plugin plugin = context.getService(ref);
                assertNotNull(ref + " did not activate", plugin);
                assertEquals("service property id of " + plugin.getClass().getName(), plugin.id(),
                        ref.getProperty(Plugin.ID_PROPERTY));
                assertTrue(plugin.id() + " has no description", !plugin.description().isBlank());
                for (OptionSpec option : plugin.options()) {
                    assertTrue(plugin.id() + "." + option.name() + " is undocumented", !option.description().isBlank());
                }
                seen++;
            }
        }
        assertTrue("expected at least none and sgd, saw " + seen, seen >= 2);
    }

    @Test
    public void generateStageAndSampleCommandResolveWithTheModelFamilies() throws Exception {
        StageType generate = only(StageType.class, "generate");
        assertTrue(generate.outputs().containsAll(List.of("images", "grid")));
        assertTrue(generate.options().stream().anyMatch(o -> o.name().equals("loras")));
        dev.lathe.api.cli.CommandPlugin sample = only(dev.lathe.api.cli.CommandPlugin.class, "sample");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, sample.run(List.of("--help"), new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--lora"));
    }

    @Test
    public void mergeStageAndCommandResolveWithTheModelFamilies() throws Exception {
        StageType merge = only(StageType.class, "merge");
        assertEquals(Set.of("checkpoint"), merge.outputs());
        assertTrue(merge.options().stream().anyMatch(o -> o.name().equals("loras")));
        dev.lathe.api.cli.CommandPlugin command = only(dev.lathe.api.cli.CommandPlugin.class, "merge");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, command.run(List.of("--help"), new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--lora"));
    }

    @Test
    public void builtInRegularizationNoneResolves() throws Exception {
        RegularizationStrategy none = only(RegularizationStrategy.class, "none");
        assertTrue(none.prepare(new RegularizationRequest(10, "woman", Files.createTempDirectory("reg")),
                Options.empty()).isEmpty());
    }

    @Test
    public void thirdPartyOptimizerTrainsInsideTheFramework() throws Exception {
        OptimizerFactory sgd = only(OptimizerFactory.class, "sgd");
        float[] after = TensorRuntime.call(() -> {
            try (NDManager manager = TensorRuntime.newManager(TensorRuntime.device("cpu"))) {
                NDArray w = manager.create(new float[] {1f, 2f, 3f});
                w.setRequiresGradient(true);
                Map<String, Object> defaults = new HashMap<>();
                sgd.options().forEach(o -> defaults.put(o.name(), o.defaultValue()));
                try (Optimizer optimizer = sgd.create(
                        List.of(new ParameterGroup("unet", List.of(new Parameter("w", w)), 0.5)), Options.of(defaults));
                     GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(w.mul(w).sum()); // gradient 2w
                    optimizer.step();
                }
                return w.toFloatArray();
            }
        });
        // w - 0.5 * 2w = 0
        assertEquals(0f, after[0], 1e-6f);
        assertEquals(0f, after[2], 1e-6f);
    }

    @Test
    public void builtInOptimizersResolveByIdAndStep() throws Exception {
        for (String id : List.of("adamw", "adafactor")) {
            OptimizerFactory factory = only(OptimizerFactory.class, id);
            Double learningRate = id.equals("adamw") ? 0.1 : null; // adafactor: relative step, no rate
            float[] after = TensorRuntime.call(() -> {
                try (NDManager manager = TensorRuntime.newManager(TensorRuntime.device("cpu"))) {
                    NDArray w = manager.create(new float[] {1f, -2f, 3f, -4f});
                    w.setRequiresGradient(true);
                    try (Optimizer optimizer = factory.create(List.of(
                            new ParameterGroup("unet", List.of(new Parameter("w", w)), learningRate)), Options.empty());
                         GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        collector.backward(w.mul(w).sum());
                        optimizer.step();
                        assertEquals(1, optimizer.stepCount());
                    }
                    return w.toFloatArray();
                }
            });
            // Both move every weight against its gradient 2w, i.e. towards zero.
            float[] before = {1f, -2f, 3f, -4f};
            for (int i = 0; i < before.length; i++) {
                assertTrue(id + " moved weight " + i + " from " + before[i] + " to " + after[i],
                        Math.abs(after[i]) < Math.abs(before[i]));
            }
        }
    }

    @Test
    public void modelFamiliesTellSd15AndSdxlApartAndSdxlLoads() throws Exception {
        BaseModelFamily sd15 = only(BaseModelFamily.class, "sd15");
        BaseModelFamily sdxl = only(BaseModelFamily.class, "sdxl");
        Path tiny = Path.of(System.getProperty("lathe.shared.dir", "../../shared"), "fixtures", "sdxl", "tiny.safetensors");
        assertTrue("the shared SDXL fixture " + tiny + " is missing", Files.isRegularFile(tiny));
        Map<String, TensorInfo> header = SafeTensorsFile.readHeader(tiny);
        Recognition recognized = sdxl.recognize(header);
        assertTrue(recognized.reason(), recognized.recognized());
        Recognition refused = sd15.recognize(header);
        assertTrue(refused.reason(), !refused.recognized() && refused.reason().contains("use family sdxl"));
        DiffusionModel model = (DiffusionModel) TensorRuntime.call(() -> sdxl.load(tiny, LoadOptions.cpuFloat32()));
        try {
            assertEquals("sdxl_base_v1-0", model.baseModelVersion());
            assertEquals(160, model.loraTargets(LoraScope.defaults()).size());
        } finally {
            model.close();
        }
    }

    @Test
    public void commandLineServiceListsEveryPlugin() {
        Result result = execute("plugins");
        assertEquals(result.err, 0, result.code);
        assertTrue(result.out, result.out.contains("regularization") && result.out.contains("none"));
        assertTrue(result.out, result.out.contains("sgd") && result.out.contains("org.example.lathe.sgd"));
        assertTrue(result.out, result.out.contains("adamw") && result.out.contains("dev.lathe.optimizer-adamw"));
        assertTrue(result.out, result.out.contains("adafactor") && result.out.contains("dev.lathe.optimizer-adafactor"));
        assertTrue(result.out, result.out.contains("sdxl") && result.out.contains("dev.lathe.base-sdxl"));
    }

    @Test
    public void pipelineRunsAStageTypeFromAnotherBundle() throws Exception {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(Plugin.ID_PROPERTY, "echo");
        ServiceRegistration<StageType> registration =
                context.registerService(StageType.class, new EchoStage(), properties);
        try {
            Path dir = Files.createTempDirectory("pipeline");
            Path config = dir.resolve("echo.json");
            Files.writeString(config, """
                    {
                      // comments are allowed
                      "name": "echo-test",
                      "stages": [
                        {"name": "first", "type": "echo", "text": "hello"},
                        {"name": "second", "type": "echo", "text": "again", "after": "first.file"}
                      ]
                    }
                    """);
            Result result = execute("run", config.toString(), "--out", dir.resolve("out").toString());
            assertEquals(result.err, 0, result.code);
            assertEquals("hello", Files.readString(dir.resolve("out/first/echo.txt")));
            assertEquals("again after hello", Files.readString(dir.resolve("out/second/echo.txt")));
            assertTrue(Files.exists(dir.resolve("out/pipeline.resolved.json")));

            Files.writeString(config, "{\"device\": \"gpu\", \"stages\": [{\"name\": \"a\", \"type\": \"echo\", \"text\": \"x\"}]}");
            Result noGpu = execute("run", config.toString(), "--out", dir.resolve("gpu").toString());
            assertEquals(noGpu.err, 2, noGpu.code);
            assertTrue(noGpu.err, noGpu.err.contains("\"gpu\"") && noGpu.err.contains("CUDA"));
            assertTrue("nothing may be written for a run that cannot start", !Files.exists(dir.resolve("gpu")));

            Files.writeString(config, "{\"stages\": [{\"name\": \"a\", \"type\": \"echo\", \"txt\": \"x\"}]}");
            Result invalid = execute("validate", config.toString());
            assertEquals(2, invalid.code);
            assertTrue(invalid.err, invalid.err.contains("txt") && invalid.err.contains("text"));

            Files.writeString(config, "{\"stages\": [{\"name\": \"a\", \"type\": \"echo\", \"text\": \"x\","
                    + " \"optimizer\": {\"id\": \"adamw\", \"betaz\": [0.9, 0.99]}}]}");
            Result badOption = execute("validate", config.toString());
            assertEquals(2, badOption.code);
            assertTrue(badOption.err, badOption.err.contains("betaz") && badOption.err.contains("betas"));

            Files.writeString(config, "{\"stages\": [{\"name\": \"a\", \"type\": \"echo\", \"text\": \"x\","
                    + " \"optimizer\": \"adamm\"}]}");
            Result badId = execute("validate", config.toString());
            assertEquals(2, badId.code);
            assertTrue(badId.err, badId.err.contains("adamm") && badId.err.contains("adafactor")
                    && badId.err.contains("sgd"));
        } finally {
            registration.unregister();
        }
    }

    /** A stage that writes its text (and that of the stage it follows) to echo.txt. */
    private static final class EchoStage implements StageType {
        @Override
        public String id() {
            return "echo";
        }

        @Override
        public String description() {
            return "Writes a text file (test stage)";
        }

        @Override
        public List<OptionSpec> options() {
            return List.of(OptionSpec.string("text", null, "What to write").mandatory(),
                    OptionSpec.artifact("after", "A file whose text is appended"),
                    OptionSpec.plugin("optimizer", OptimizerFactory.class, "adamw", "An optimizer (only validated)"));
        }

        @Override
        public Set<String> outputs() {
            return Set.of("file");
        }

        @Override
        public StageResult run(StageContext context) throws Exception {
            String text = context.options().getString("text");
            if (context.options().has("after")) {
                text += " after " + Files.readString(context.resolve(context.options().getArtifact("after")));
            }
            Path file = context.stageDir().resolve("echo.txt");
            Files.writeString(file, text);
            return new StageResult(Map.of("file", file), "wrote " + file.getFileName());
        }
    }

    private record Result(int code, String out, String err) {
    }

    private Result execute(String... args) {
        LatheCommand command = context.getService(context.getServiceReference(LatheCommand.class));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = command.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private <T> T only(Class<T> kind, String id) throws Exception {
        Collection<ServiceReference<T>> refs = context.getServiceReferences(kind, "(id=" + id + ")");
        assertEquals(kind.getSimpleName() + " id=" + id, 1, refs.size());
        return context.getService(refs.iterator().next());
    }
}
