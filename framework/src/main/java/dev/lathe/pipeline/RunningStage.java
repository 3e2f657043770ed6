package dev.lathe.pipeline;

import dev.lathe.api.ArtifactRef;
import dev.lathe.api.Options;
import dev.lathe.api.Plugin;
import dev.lathe.api.PluginChoice;
import dev.lathe.api.RunFailedException;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.config.PluginCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The context one stage runs in.
 *
 * @param earlier the results of the stages that ran before it, by stage name
 */
record RunningStage(
        String stageName,
        Options options,
        Path baseCheckpoint,
        String family,
        String device,
        long seed,
        Path runDir,
        Path stageDir,
        Map<String, StageResult> earlier,
        PluginCatalog catalog,
        ProgressFactory progressFactory) implements StageContext {

    RunningStage {
        earlier = Map.copyOf(earlier);
    }

    @Override
    public Path resolve(ArtifactRef artifact) {
        if (!artifact.isStageOutput()) {
            return artifact.path();
        }
        StageResult producer = earlier.get(artifact.stage());
        if (producer == null) {
            // The config reader only lets a stage name earlier stages; reaching this is a bug.
            throw new IllegalStateException("stage " + stageName + " refers to " + artifact + ", but stage "
                    + artifact.stage() + " has not run before it");
        }
        Path path = producer.outputs().get(artifact.output());
        if (path == null) {
            throw new RunFailedException("Stage \"" + artifact.stage() + "\" finished without producing its output \""
                    + artifact.output() + "\", which stage \"" + stageName + "\" uses (as " + artifact + "). It produced: "
                    + (producer.outputs().isEmpty() ? "nothing" : String.join(", ", producer.outputs().keySet().stream().sorted().toList()))
                    + ". Check that stage's log and options.");
        }
        if (!Files.exists(path)) {
            throw new RunFailedException("The output \"" + artifact + "\" that stage \"" + stageName + "\" uses, " + path
                    + ", no longer exists. Was the run folder changed while the pipeline ran?");
        }
        return path;
    }

    @Override
    public <T extends Plugin> T plugin(Class<T> kind, PluginChoice choice) {
        return catalog.find(kind, choice.id()).orElseThrow(() -> new RunFailedException("The plugin \"" + choice.id()
                + "\" (" + kind.getSimpleName() + ") that stage \"" + stageName + "\" uses is no longer installed."
                + " Was its bundle removed while the pipeline ran?"));
    }

    @Override
    public java.util.List<String> pluginIds(Class<? extends Plugin> kind) {
        return catalog.ids(kind);
    }

    @Override
    public Progress progress(String task, long total) {
        return progressFactory.start(stageName + ": " + task, total);
    }
}
