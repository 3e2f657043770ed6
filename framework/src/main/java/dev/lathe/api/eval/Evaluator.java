package dev.lathe.api.eval;

import dev.lathe.api.Options;
import dev.lathe.api.Plugin;

/**
 * Scores generated images against references ({@code face}: face-embedding distance to photos of
 * the subject) and summarizes each candidate folder (one per checkpoint or epoch).
 */
public interface Evaluator extends Plugin {

    /**
     * Evaluates every candidate folder against the reference folder.
     *
     * @throws dev.lathe.api.InvalidInputException for an unreadable image or references that
     *         give nothing to compare against
     */
    Evaluation evaluate(EvaluationRequest request, Options options);
}
