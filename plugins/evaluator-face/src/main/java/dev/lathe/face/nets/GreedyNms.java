package dev.lathe.face.nets;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleBiFunction;

/**
 * Greedy non-maximum suppression: walk the candidates in order of descending score and keep one
 * unless it overlaps a kept one by more than the threshold.
 */
final class GreedyNms {

    private GreedyNms() {
    }

    /**
     * @param byScore  candidates, highest score first
     * @param iou      intersection over union of two candidates
     * @param maxKept  stop after this many
     */
    static <T> List<T> select(List<T> byScore, ToDoubleBiFunction<T, T> iou, double threshold, int maxKept) {
        List<T> kept = new ArrayList<>();
        for (T candidate : byScore) {
            if (kept.size() >= maxKept) {
                break;
            }
            boolean overlaps = false;
            for (T k : kept) {
                if (iou.applyAsDouble(k, candidate) > threshold) {
                    overlaps = true;
                    break;
                }
            }
            if (!overlaps) {
                kept.add(candidate);
            }
        }
        return kept;
    }
}
