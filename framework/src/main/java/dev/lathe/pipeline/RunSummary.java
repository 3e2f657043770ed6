package dev.lathe.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A finished run.
 *
 * @param output  the run's output folder
 * @param stages  every stage, in order, all {@link StageRun.Status#DONE}
 * @param seconds how long the whole run took
 */
public record RunSummary(Path output, List<StageRun> stages, double seconds) {

    public RunSummary {
        stages = List.copyOf(stages);
    }

    /** The stage with this name. */
    public Optional<StageRun> stage(String name) {
        return stages.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
