package dev.lathe.api.pipeline;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a stage produced: each declared output name mapped to a file or folder inside the stage's
 * folder, and a short human summary for the run log and report.
 */
public record StageResult(Map<String, Path> outputs, String summary) {
    public StageResult {
        outputs = Map.copyOf(outputs);
        summary = summary == null ? "" : summary;
    }
}
