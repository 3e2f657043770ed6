package dev.lathe.api.eval;

import dev.lathe.api.Options;
import dev.lathe.api.Plugin;
import dev.lathe.api.pipeline.Progress;

/**
 * Scores generated images against references ({@code face}: face-embedding distance to photos of
 * the subject) and summarizes each candidate folder (one per checkpoint or epoch).
 */
public interface Evaluator extends Plugin {

    /**
     * Evaluates every candidate folder against the reference folder, writing its per-candidate
     * files (histograms, per-image scores) into the request's output folder.
     *
     * @param options  this evaluator's options, validated against {@link #options()}
     * @param progress advanced by one per image the evaluator reads (the caller knows no total
     *                 and closes it)
     * @throws dev.lathe.api.InvalidInputException for an unreadable image or references that
     *         give nothing to compare against
     */
    Evaluation evaluate(EvaluationRequest request, Options options, Progress progress);
}
