package dev.lathe.api.pipeline;

import dev.lathe.api.ArtifactRef;
import dev.lathe.api.Options;
import dev.lathe.api.Plugin;
import dev.lathe.api.PluginChoice;
import java.nio.file.Path;

/**
 * Everything a running stage may use. Provided by the pipeline runner; valid only during
 * {@link StageType#run}.
 */
public interface StageContext {

    /** The stage's name in the pipeline (unique within it). */
    String stageName();

    /** The stage's options, validated against {@link StageType#options()} with defaults filled in. */
    Options options();

    /** The pipeline's base checkpoint (file or diffusers folder), or null when the pipeline names none. */
    Path baseCheckpoint();

    /**
     * The id of the base checkpoint's model family as the pipeline names it ({@code family}), or
     * null when the pipeline leaves it to be detected from the checkpoint.
     */
    String family();

    /** The ids of every installed plugin of {@code kind}, sorted. */
    java.util.List<String> pluginIds(Class<? extends Plugin> kind);

    /** The device tensors live on: {@code cpu} or {@code gpu}; the runtime has checked it is usable. */
    String device();

    /** The pipeline seed, mixed with the stage name so that stages draw independent streams. */
    long seed();

    /** The run's output folder. */
    Path runDir();

    /** This stage's own folder inside {@link #runDir()}; it exists when {@code run} starts. */
    Path stageDir();

    /**
     * The file or folder an artifact names: a direct path as it is, or the output of an earlier
     * stage of this run.
     */
    Path resolve(ArtifactRef artifact);

    /** The plugin a {@link PluginChoice} names, looked up in the service registry. */
    <T extends Plugin> T plugin(Class<T> kind, PluginChoice choice);

    /** Starts reporting a task of {@code total} units ({@code total <= 0}: unknown). */
    Progress progress(String task, long total);
}
