package dev.lathe.api.eval;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The summaries of every candidate folder and the chosen one.
 *
 * @param summaries one per candidate, in request order
 * @param best      the label of the chosen candidate
 * @param rule      the selection rule in words, with the numbers that decided it
 * @param notes     remarks the user should see, e.g. reference images that were left out
 */
public record Evaluation(List<Summary> summaries, String best, String rule, List<String> notes) {

    public Evaluation {
        summaries = List.copyOf(summaries);
        notes = List.copyOf(notes);
    }

    /**
     * @param label       the candidate's label
     * @param images      images in the candidate folder
     * @param misses      images in which nothing could be scored (e.g. no face); counted, not dropped
     * @param mean        mean score of the scored images (lower is better for distances); NaN if none
     * @param median      median score of the scored images; NaN if none
     * @param shareBelow  threshold to the share of all {@code images} scoring below it, in the
     *                    evaluator's threshold order
     * @param histogram   a histogram PNG, or null
     */
    public record Summary(String label, int images, int misses, double mean, double median,
                          Map<Double, Double> shareBelow, Path histogram) {
        public Summary {
            shareBelow = Collections.unmodifiableMap(new LinkedHashMap<>(shareBelow));
        }
    }
}
