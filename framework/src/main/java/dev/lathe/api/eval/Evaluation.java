package dev.lathe.api.eval;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The summaries of every candidate folder and the chosen one.
 *
 * @param summaries one per candidate, in request order
 * @param best      the label of the chosen candidate
 * @param rule      the selection rule in words, with the numbers that decided it
 */
public record Evaluation(List<Summary> summaries, String best, String rule) {

    public Evaluation {
        summaries = List.copyOf(summaries);
    }

    /**
     * @param label       the candidate's label
     * @param images      images scored
     * @param misses      images in which nothing could be scored (e.g. no face); counted, not dropped
     * @param mean        mean score (lower is better for distances)
     * @param median      median score
     * @param shareBelow  threshold to the share of images scoring below it
     * @param histogram   a histogram PNG, or null
     */
    public record Summary(String label, int images, int misses, double mean, double median,
                          Map<Double, Double> shareBelow, Path histogram) {
        public Summary {
            shareBelow = Map.copyOf(shareBelow);
        }
    }
}
