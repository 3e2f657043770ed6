package dev.lathe.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A pipeline config as read and checked by {@link ConfigReader}: defaults filled in, every path
 * absolute, every plugin and stage output it names known to exist.
 *
 * @param source      the config file it was read from (absolute)
 * @param name        the pipeline's name (default: the file name without extension)
 * @param description free text for people; ignored by the runner, or {@code null}
 * @param checkpoint  the base checkpoint (a {@code .safetensors} file or a diffusers folder), or
 *                    {@code null} when the pipeline names none
 * @param family      the id of the checkpoint's model family, or {@code null} to detect it
 * @param device      {@code cpu} or {@code gpu}
 * @param seed        the pipeline seed; each stage gets its own seed derived from it
 * @param output      the run's output folder (absolute)
 * @param stages      the stages in the order they run; names are unique
 */
public record PipelineConfig(
        Path source,
        String name,
        String description,
        Path checkpoint,
        String family,
        String device,
        long seed,
        Path output,
        List<StageConfig> stages) {

    public PipelineConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(output, "output");
        stages = List.copyOf(stages);
        Set<String> names = new HashSet<>();
        for (StageConfig stage : stages) {
            if (!names.add(stage.name())) {
                throw new IllegalArgumentException("two stages are named " + stage.name());
            }
        }
    }

    /** The stage with this name. */
    public Optional<StageConfig> stage(String stageName) {
        return stages.stream().filter(s -> s.name().equals(stageName)).findFirst();
    }
}
