package dev.lathe.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.ArtifactRef;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.api.Plugin;
import dev.lathe.api.RunFailedException;
import dev.lathe.api.model.BaseModel;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.api.model.Recognition;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.config.ConfigReader;
import dev.lathe.config.Fakes;
import dev.lathe.config.MapPluginCatalog;
import dev.lathe.config.PipelineConfig;
import dev.lathe.config.StageConfig;
import dev.lathe.config.TestConfigs;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import dev.lathe.safetensors.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineRunnerTest {

    @TempDir
    Path dir;

    /** What the {@code probe} stages saw, in the order they ran. */
    private final List<StageContext> probed = new ArrayList<>();
    private final List<String> progressTasks = new ArrayList<>();

    private MapPluginCatalog catalog;
    private PipelineRunner runner;

    @BeforeEach
    void setUp() {
        TestConfigs.prepare(dir);
        List<Plugin> plugins = new ArrayList<>(List.of(new Fakes.TrainStage(), new Fakes.EvaluateStage(),
                new Fakes.OptimizerPlugin("adamw"), new Fakes.OptimizerPlugin("adafactor"), new Fakes.FamilyPlugin("sd15"),
                new Probe(), new Failing(), new ForgetsAnOutput()));
        catalog = new MapPluginCatalog(plugins);
        ProgressFactory progress = (task, total) -> {
            progressTasks.add(task + " /" + total);
            return ProgressFactory.silent().start(task, total);
        };
        // The fake checkpoint is no safetensors file: the checkpoint check has its own tests.
        runner = new PipelineRunner(catalog, progress, device -> { }, config -> { });
    }

    @Test
    void runsTheSteppingStonePipelineAndResolvesOutputs() throws Exception {
        PipelineConfig config = new ConfigReader(catalog).read(TestConfigs.write(dir, TestConfigs.STEPPING_STONE));

        RunSummary summary = runner.run(config);

        Path out = dir.resolve("runs/stepping-stone");
        assertEquals(out, summary.output());
        assertEquals(List.of(StageRun.Status.DONE, StageRun.Status.DONE, StageRun.Status.DONE),
                summary.stages().stream().map(StageRun::status).toList());
        assertEquals("8 epochs", summary.stage("base3d").orElseThrow().summary());
        // target merged base3d.best; check evaluated target.last
        assertEquals(out.resolve("base3d/best.safetensors") + " @ 1.0", Files.readString(out.resolve("target/last.safetensors")));
        assertEquals(out.resolve("target/last.safetensors").toString(), Files.readString(out.resolve("check/report.txt")));
        assertEquals(Map.of("report", out.resolve("check/report.txt")), summary.stage("check").orElseThrow().outputs());

        PipelineConfig resolved = new ConfigReader(catalog).read(out.resolve(PipelineRunner.RESOLVED_CONFIG));
        assertEquals(config.stages(), resolved.stages());

        JsonNode log = new ObjectMapper().readTree(out.resolve(PipelineRunner.RUN_LOG).toFile());
        assertEquals("done", log.get("status").asText());
        assertEquals("stepping-stone", log.get("pipeline").asText());
        JsonNode target = log.get("stages").get(1);
        assertEquals("target", target.get("name").asText());
        assertEquals("train", target.get("type").asText());
        assertEquals("done", target.get("status").asText());
        assertEquals(out.resolve("target/best.safetensors").toString(), target.get("outputs").get("best").asText());
        assertTrue(target.get("seconds").isNumber());
    }

    @Test
    void anUnusableDeviceStopsTheRunBeforeAnythingIsWritten() {
        PipelineRunner strict = new PipelineRunner(catalog, ProgressFactory.silent(), device -> {
            throw new InvalidInputException("no " + device + " here");
        }, config -> { });
        PipelineConfig config = new PipelineConfig(dir.resolve("p.json"), "p", null, null, null, "gpu", 42,
                dir.resolve("never"), List.of(stage("first", "probe")));

        InvalidInputException e = assertThrows(InvalidInputException.class, () -> strict.run(config));
        assertEquals("no gpu here", e.getMessage());
        assertTrue(probed.isEmpty());
        assertFalse(Files.exists(dir.resolve("never")));
    }

    @Test
    void anUnusableCheckpointStopsTheRunBeforeAnythingIsWritten() {
        // The fake family recognizes nothing, and the file is no safetensors file either.
        PipelineRunner checking = new PipelineRunner(catalog, ProgressFactory.silent(), device -> { },
                config -> PipelineRunner.checkCheckpoint(config, catalog));
        Path checkpoint = dir.resolve("models/base.safetensors");
        PipelineConfig config = new PipelineConfig(dir.resolve("p.json"), "p", null, checkpoint, null, "cpu", 42,
                dir.resolve("never"), List.of(stage("first", "probe")));

        InvalidInputException e = assertThrows(InvalidInputException.class, () -> checking.run(config));
        assertTrue(e.getMessage().contains(checkpoint.toString()), e.getMessage());
        assertTrue(probed.isEmpty());
        assertFalse(Files.exists(dir.resolve("never")));
    }

    @Test
    void aCheckpointAFamilyAcceptsLetsTheRunStart() throws Exception {
        Path checkpoint = dir.resolve("models/accepted.safetensors");
        SafeTensorsWriter.write(checkpoint, Map.of("unet.weight", Tensor.scalar(1f)), Map.of());
        BaseModelFamily accepting = new BaseModelFamily() {
            @Override
            public String id() {
                return "sd15";
            }

            @Override
            public String description() {
                return "accepts checkpoints with unet.weight";
            }

            @Override
            public Recognition recognize(Map<String, TensorInfo> tensors) {
                return tensors.containsKey("unet.weight") ? Recognition.recognized("sd15", "test", Map.of())
                        : Recognition.notRecognized("sd15", "no unet.weight");
            }

            @Override
            public BaseModel load(Path file, LoadOptions options) {
                throw new UnsupportedOperationException("only recognized here");
            }

            @Override
            public List<LoraTarget> loraTargets(Map<String, TensorInfo> tensors, LoraScope scope) {
                return List.of();
            }
        };
        MapPluginCatalog withFamily = MapPluginCatalog.of(accepting, new Probe());
        PipelineConfig config = new PipelineConfig(dir.resolve("p.json"), "p", null, checkpoint, null, "cpu", 42,
                dir.resolve("out"), List.of(stage("first", "probe")));

        new PipelineRunner(withFamily, ProgressFactory.silent()).run(config);
        assertEquals(1, probed.size());

        PipelineConfig named = new PipelineConfig(dir.resolve("p.json"), "p", null, checkpoint, "sd15", "cpu", 42,
                dir.resolve("out2"), List.of(stage("first", "probe")));
        new PipelineRunner(withFamily, ProgressFactory.silent()).run(named);
        assertEquals(2, probed.size());
    }

    @Test
    void eachStageGetsItsContext() {
        Path checkpoint = dir.resolve("models/base.safetensors");
        // The runner under test accepts any device, so "gpu" shows the value is passed through.
        PipelineConfig config = new PipelineConfig(dir.resolve("p.json"), "p", null, checkpoint, null, "gpu", 42,
                dir.resolve("out"), List.of(stage("first", "probe"), stage("second", "probe")));

        runner.run(config);

        assertEquals(2, probed.size());
        StageContext second = probed.get(1);
        assertEquals("second", second.stageName());
        assertEquals(checkpoint, second.baseCheckpoint());
        assertEquals("gpu", second.device());
        assertEquals(dir.resolve("out"), second.runDir());
        assertEquals(dir.resolve("out/second"), second.stageDir());
        assertEquals(PipelineRunner.stageSeed(42, "second"), second.seed());
        assertNotEquals(probed.get(0).seed(), second.seed());
        assertEquals(List.of("first: work /3", "second: work /3"), progressTasks);
    }

    @Test
    void stageSeedsAreStableAndDistinct() {
        // Pinned, and computed apart from this code from the documented recipe (FNV-1a, XOR,
        // SplitMix64): changing the derivation would silently change every run's random streams.
        assertEquals(-8561166630149071166L, PipelineRunner.stageSeed(42, "base3d"));
        assertEquals(PipelineRunner.stageSeed(42, "base3d"), PipelineRunner.stageSeed(42, "base3d"));
        assertNotEquals(PipelineRunner.stageSeed(42, "base3d"), PipelineRunner.stageSeed(43, "base3d"));
        Set<Long> seeds = new HashSet<>();
        for (String name : List.of("base3d", "target", "check", "a", "b", "ab", "ba", "train-1", "train-2")) {
            seeds.add(PipelineRunner.stageSeed(42, name));
        }
        assertEquals(9, seeds.size());
    }

    @Test
    void aFailingStageIsNamedAndRunJsonShowsWhereTheRunStopped() throws Exception {
        PipelineConfig config = config(stage("first", "probe"), failing("boom", "runtime"), stage("never", "probe"));

        RunFailedException e = assertThrows(RunFailedException.class, () -> runner.run(config));

        assertTrue(e.getMessage().startsWith("The stage \"boom\" (type fail) failed: java.lang.IllegalStateException: disk on fire."),
                e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals(1, probed.size(), "the stage after the failure does not run");

        JsonNode log = new ObjectMapper().readTree(dir.resolve("out/run.json").toFile());
        assertEquals("failed", log.get("status").asText());
        assertEquals(List.of("done", "failed", "pending"),
                Stream.of(0, 1, 2).map(i -> log.get("stages").get(i).get("status").asText()).toList());
        assertEquals(e.getMessage(), log.get("stages").get(1).get("error").asText());
        assertTrue(Files.isRegularFile(dir.resolve("out/pipeline.resolved.json")));
    }

    @Test
    void theUsersTwoKindsOfFailurePassThroughUnchanged() {
        for (String mode : List.of("invalid", "runfailed")) {
            PipelineConfig config = config(failing("boom", mode));
            RuntimeException e = assertThrows(RuntimeException.class, () -> runner.run(config));
            assertSame(Failing.THROWN.get(mode), e);
        }
    }

    @Test
    void checkedExceptionsAreWrapped() {
        RunFailedException e = assertThrows(RunFailedException.class, () -> runner.run(config(failing("boom", "checked"))));
        assertInstanceOf(java.io.IOException.class, e.getCause());
        assertTrue(e.getMessage().contains("stage \"boom\" (type fail)"), e.getMessage());
    }

    @Test
    void aDeclaredOutputThatWasNotProducedFailsTheStageUsingIt() throws Exception {
        Options usesBest = Options.of(Map.of("lora", ArtifactRef.stageOutput("half", "best"), "images", 1L));
        PipelineConfig config = config(stage("half", "forgetful"), new StageConfig("check", "evaluate", usesBest));

        RunFailedException e = assertThrows(RunFailedException.class, () -> runner.run(config));

        assertEquals("Stage \"half\" finished without producing its output \"best\", which stage \"check\" uses (as half.best)."
                + " It produced: last. Check that stage's log and options.", e.getMessage());
        JsonNode log = new ObjectMapper().readTree(dir.resolve("out/run.json").toFile());
        assertEquals("failed", log.get("stages").get(1).get("status").asText());
    }

    @Test
    void anOutputFolderThatIsAFileIsBadInput() throws Exception {
        Files.writeString(dir.resolve("out"), "a file");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> runner.run(config(stage("a", "probe"))));
        assertTrue(e.getMessage().contains(dir.resolve("out") + " exists but is not a folder"), e.getMessage());
    }

    private PipelineConfig config(StageConfig... stages) {
        return new PipelineConfig(dir.resolve("p.json"), "p", null, null, null, "cpu", 42, dir.resolve("out"), List.of(stages));
    }

    private static StageConfig stage(String name, String type) {
        return new StageConfig(name, type, Options.empty());
    }

    private static StageConfig failing(String name, String mode) {
        return new StageConfig(name, "fail", Options.of(Map.of("mode", mode)));
    }

    /** Records its context and reports a little progress. */
    private final class Probe extends TestStage {
        Probe() {
            super("probe", Set.of());
        }

        @Override
        public StageResult run(StageContext context) {
            probed.add(context);
            try (Progress progress = context.progress("work", 3)) {
                progress.advance(3);
            }
            return new StageResult(Map.of(), "");
        }
    }

    /** Declares {@code last} and {@code best} but produces only {@code last}. */
    private static final class ForgetsAnOutput extends TestStage {
        ForgetsAnOutput() {
            super("forgetful", Set.of("last", "best"));
        }

        @Override
        public StageResult run(StageContext context) throws Exception {
            return new StageResult(Map.of("last", Files.writeString(context.stageDir().resolve("last.safetensors"), "x")), "");
        }
    }

    /** Fails the way its {@code mode} option says. */
    private static final class Failing extends TestStage {
        static final Map<String, RuntimeException> THROWN = Map.of(
                "invalid", new InvalidInputException("bad dataset"),
                "runfailed", new RunFailedException("NaN loss"));

        Failing() {
            super("fail", Set.of());
        }

        @Override
        public List<OptionSpec> options() {
            return List.of(OptionSpec.choice("mode", "runtime", List.of("runtime", "checked", "invalid", "runfailed"), "How to fail"));
        }

        @Override
        public StageResult run(StageContext context) throws Exception {
            String mode = context.options().getString("mode");
            Callable<StageResult> failure = switch (mode) {
                case "runtime" -> () -> {
                    throw new IllegalStateException("disk on fire");
                };
                case "checked" -> () -> {
                    throw new java.io.IOException("read error");
                };
                default -> () -> {
                    throw THROWN.get(mode);
                };
            };
            return failure.call();
        }
    }

    private abstract static class TestStage implements StageType {
        private final String id;
        private final Set<String> outputs;

        TestStage(String id, Set<String> outputs) {
            this.id = id;
            this.outputs = outputs;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String description() {
            return "test stage " + id;
        }

        @Override
        public Set<String> outputs() {
            return outputs;
        }
    }
}
