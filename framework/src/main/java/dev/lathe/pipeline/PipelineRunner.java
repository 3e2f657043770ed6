package dev.lathe.pipeline;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.RunFailedException;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.checkpoint.CheckpointRecognizer;
import dev.lathe.config.PipelineConfig;
import dev.lathe.config.PluginCatalog;
import dev.lathe.config.ResolvedConfig;
import dev.lathe.config.StageConfig;
import dev.lathe.runtime.TensorRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a pipeline config: creates the output folder, writes {@value #RESOLVED_CONFIG} into it,
 * then runs the stages in order, each in its own folder {@code <output>/<stage name>/}, keeping
 * {@value #RUN_LOG} up to date as each stage starts and ends.
 */
public final class PipelineRunner {

    /** The resolved config, written into the output folder before the first stage runs. */
    public static final String RESOLVED_CONFIG = "pipeline.resolved.json";
    /** The state of every stage, rewritten as each starts and ends. */
    public static final String RUN_LOG = "run.json";

    private static final Logger LOG = LoggerFactory.getLogger(PipelineRunner.class);

    private final PluginCatalog catalog;
    private final ProgressFactory progress;
    private final Consumer<String> deviceCheck;
    private final Consumer<PipelineConfig> checkpointCheck;

    /**
     * A runner that checks the config's device with {@link TensorRuntime#device} and its
     * checkpoint with {@link #checkCheckpoint}.
     */
    public PipelineRunner(PluginCatalog catalog, ProgressFactory progress) {
        this(catalog, progress, device -> {
            if (!"cpu".equals(device)) {
                TensorRuntime.device(device);
            }
        }, config -> checkCheckpoint(config, catalog));
    }

    /** A runner with its own device check, and the checkpoint check of {@link #checkCheckpoint}. */
    public PipelineRunner(PluginCatalog catalog, ProgressFactory progress, Consumer<String> deviceCheck) {
        this(catalog, progress, deviceCheck, config -> checkCheckpoint(config, catalog));
    }

    /**
     * @param deviceCheck     throws {@link InvalidInputException} when the config's device cannot
     *                        be used here; called before anything is written
     * @param checkpointCheck throws {@link InvalidInputException} when the config's checkpoint
     *                        cannot be used; called before anything is written
     */
    public PipelineRunner(PluginCatalog catalog, ProgressFactory progress, Consumer<String> deviceCheck,
                          Consumer<PipelineConfig> checkpointCheck) {
        this.catalog = catalog;
        this.progress = progress;
        this.deviceCheck = deviceCheck;
        this.checkpointCheck = checkpointCheck;
    }

    /**
     * Checks the config's base checkpoint, if it names one, from its headers: the family the
     * config names, or else one of the installed families, must accept it (see
     * {@link CheckpointRecognizer#require}). {@code lathe run} and {@code lathe validate} both call
     * it, so a damaged or foreign checkpoint is reported before any stage runs.
     *
     * @throws InvalidInputException the family's explanation, naming the file
     */
    public static void checkCheckpoint(PipelineConfig config, PluginCatalog catalog) {
        if (config.checkpoint() != null) {
            CheckpointRecognizer.installed(catalog).require(config.checkpoint(), config.family());
        }
    }

    /**
     * Runs every stage of {@code config}, which {@link dev.lathe.config.ConfigReader} has checked.
     *
     * @throws InvalidInputException as a stage throws it
     * @throws RunFailedException    as a stage throws it, or wrapping anything else a stage throws
     *                               (naming the stage), or when the output folder cannot be written
     */
    public RunSummary run(PipelineConfig config) {
        // Every stage type must still be there, and the device usable, before the first stage spends hours.
        List<StageType> types = config.stages().stream().map(this::stageType).toList();
        deviceCheck.accept(config.device());
        checkpointCheck.accept(config);
        Path output = createFolder(config.output(), "output folder");
        try {
            ResolvedConfig.write(config, output.resolve(RESOLVED_CONFIG));
        } catch (IOException e) {
            throw new RunFailedException("Cannot write " + output.resolve(RESOLVED_CONFIG) + ": " + e.getMessage()
                    + ". Check that the output folder is writable and the disk is not full.", e);
        }

        long runStart = System.nanoTime();
        RunLog log = new RunLog(output.resolve(RUN_LOG), config, Instant.now());
        Map<String, StageResult> results = new LinkedHashMap<>();
        LOG.info("Pipeline {}: {} stage(s), output in {}", config.name(), config.stages().size(), output);
        boolean succeeded = false;
        try {
            for (int i = 0; i < types.size(); i++) {
                StageConfig stage = config.stages().get(i);
                results.put(stage.name(), runStage(config, stage, types.get(i), i, results, log));
            }
            succeeded = true;
        } finally {
            finish(log, succeeded);
        }
        double seconds = secondsSince(runStart);
        LOG.info("Pipeline {} done in {}", config.name(), duration(seconds));
        return new RunSummary(output, log.stages(), seconds);
    }

    private StageResult runStage(PipelineConfig config, StageConfig stage, StageType type, int index,
                                 Map<String, StageResult> earlier, RunLog log) {
        String label = "stage \"" + stage.name() + "\" (type " + stage.type() + ")";
        log.update(index, new StageRun(stage.name(), stage.type(), StageRun.Status.RUNNING, Map.of(), "", 0, null));
        LOG.info("Stage {} ({}) started", stage.name(), stage.type());
        long start = System.nanoTime();
        try {
            Path stageDir = createFolder(config.output().resolve(stage.name()), "folder of " + label);
            RunningStage context = new RunningStage(stage.name(), stage.options(), config.checkpoint(), config.family(),
                    config.device(), stageSeed(config.seed(), stage.name()), config.output(), stageDir, earlier, catalog,
                    progress);
            StageResult result = call(type, context, label);
            double seconds = secondsSince(start);
            warnAboutUndeclaredOutputs(type, result, label);
            log.update(index, new StageRun(stage.name(), stage.type(), StageRun.Status.DONE, result.outputs(),
                    result.summary(), seconds, null));
            LOG.info("Stage {} done in {}{}", stage.name(), duration(seconds),
                    result.summary().isEmpty() ? "" : ": " + result.summary());
            return result;
        } catch (RuntimeException | Error e) {
            double seconds = secondsSince(start);
            LOG.info("Stage {} failed after {}", stage.name(), duration(seconds));
            try {
                log.update(index, new StageRun(stage.name(), stage.type(), StageRun.Status.FAILED, Map.of(), "", seconds,
                        e.getMessage() == null ? e.toString() : e.getMessage()));
            } catch (RunFailedException logFailure) {
                e.addSuppressed(logFailure);
            }
            throw e;
        }
    }

    /** Runs the stage, keeping the user's two kinds of failure and wrapping everything else. */
    private static StageResult call(StageType type, RunningStage context, String label) {
        StageResult result;
        try {
            result = type.run(context);
        } catch (InvalidInputException | RunFailedException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunFailedException("The " + label + " was interrupted. Its outputs so far are in " + context.stageDir() + ".", e);
        } catch (Exception e) {
            throw new RunFailedException("The " + label + " failed: " + e + ". Its outputs so far are in "
                    + context.stageDir() + "; the log has the details.", e);
        }
        if (result == null) {
            throw new RunFailedException("The " + label + " ended without a result (a bug in the stage type "
                    + type.getClass().getName() + ").");
        }
        return result;
    }

    /**
     * The seed a stage gets: the pipeline seed mixed with the stage's name, so that stages draw
     * independent random streams, a stage keeps its stream when other stages are added or
     * reordered, and renaming a stage is what changes it. Precisely: the 64-bit FNV-1a hash of
     * the name's UTF-8 bytes is XORed into the pipeline seed and the result passed through the
     * SplitMix64 finalizer (the same on every machine and Java version).
     */
    public static long stageSeed(long pipelineSeed, String stageName) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : stageName.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        long z = (pipelineSeed ^ hash) + 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private StageType stageType(StageConfig stage) {
        return catalog.find(StageType.class, stage.type()).orElseThrow(() -> new RunFailedException("The stage type \""
                + stage.type() + "\" of stage \"" + stage.name() + "\" is not installed any more (it was when the config was read)."
                + " Installed: " + String.join(", ", catalog.ids(StageType.class)) + "."));
    }

    private static void warnAboutUndeclaredOutputs(StageType type, StageResult result, String label) {
        Set<String> undeclared = new HashSet<>(result.outputs().keySet());
        undeclared.removeAll(type.outputs());
        if (!undeclared.isEmpty()) {
            LOG.warn("The {} returned outputs its type does not declare, which no stage can refer to: {}", label, undeclared);
        }
    }

    private static void finish(RunLog log, boolean succeeded) {
        try {
            log.finish(succeeded);
        } catch (RunFailedException e) {
            if (succeeded) {
                throw e;
            }
            // The stage's own failure is what the user needs to see; this one is logged only.
            LOG.warn(e.getMessage());
        }
    }

    private static Path createFolder(Path folder, String what) {
        try {
            return Files.createDirectories(folder);
        } catch (FileAlreadyExistsException e) {
            throw new InvalidInputException("The " + what + " " + folder + " exists but is not a folder."
                    + " Move that file away or choose another output folder.");
        } catch (IOException e) {
            throw new RunFailedException("Cannot create the " + what + " " + folder + ": " + e.getMessage()
                    + ". Check that its parent is writable.", e);
        }
    }

    private static double secondsSince(long nanoStart) {
        return (System.nanoTime() - nanoStart) / 1e9;
    }

    private static String duration(double seconds) {
        return seconds < 60 ? String.format(Locale.ROOT, "%.1f s", seconds) : ConsoleProgress.clock(seconds);
    }
}
