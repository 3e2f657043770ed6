package dev.lathe.face.plugin;

import dev.lathe.api.InvalidInputException;
import dev.lathe.face.analysis.FaceAnalyzer;

/** Command-line values shared by {@code lathe faces} and {@code lathe evaluate}. */
final class CommandOptions {

    private CommandOptions() {
    }

    /** {@code --detector} and {@code --min-confidence}. */
    static FaceAnalyzer.Detector detector(String name, double minConfidence) {
        if (!(minConfidence > 0 && minConfidence < 1)) {
            throw new InvalidInputException("--min-confidence must be between 0 and 1, got " + minConfidence + ".");
        }
        try {
            return FaceAnalyzer.Detector.of(name, minConfidence);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--detector must be ssd or tiny, got \"" + name + "\".", e);
        }
    }
}
