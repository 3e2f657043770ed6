package dev.lathe.pipeline;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How one stage of a run went, as {@code run.json} records it.
 *
 * @param name    the stage's name
 * @param type    its stage type's id
 * @param status  where it is
 * @param outputs what it produced, once done
 * @param summary its one-line summary, once done; empty before
 * @param seconds how long it ran (0 while pending)
 * @param error   why it failed, or {@code null}
 */
public record StageRun(String name, String type, Status status, Map<String, Path> outputs, String summary,
                       double seconds, String error) {

    /** The life of a stage within a run. */
    public enum Status { PENDING, RUNNING, DONE, FAILED }

    public StageRun {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        outputs = Map.copyOf(outputs);
        summary = summary == null ? "" : summary;
    }

    static StageRun pending(String name, String type) {
        return new StageRun(name, type, Status.PENDING, Map.of(), "", 0, null);
    }
}
