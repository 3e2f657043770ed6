package dev.lathe.api.eval;

import java.nio.file.Path;
import java.util.List;

/**
 * @param references a folder of reference images (e.g. close-ups of the real subject)
 * @param candidates labelled folders of generated images, in order (earliest epoch first)
 * @param outputDir  where the evaluator writes per-candidate results (histograms, JSON)
 */
public record EvaluationRequest(Path references, List<Candidate> candidates, Path outputDir) {

    public EvaluationRequest {
        candidates = List.copyOf(candidates);
    }

    /** A folder of generated images and its label (an epoch or checkpoint name). */
    public record Candidate(String label, Path folder) {
    }
}
