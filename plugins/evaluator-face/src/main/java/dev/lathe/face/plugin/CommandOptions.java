package dev.lathe.face.plugin;

import dev.lathe.api.InvalidInputException;
import dev.lathe.face.analysis.FaceAnalyzer;

/** Command-line values shared by {@code lathe faces} and {@code lathe evaluate}. */
final class CommandOptions {

    private CommandOptions() {
    }

    static FaceAnalyzer.Detector detector(String name, double minConfidence) {
        if (!(minConfidence > 0 && minConfidence < 1)) {
            throw new InvalidInputException("--min-confidence must be between 0 and 1, got " + minConfidence + ".");
        }
        return switch (name) {
            case "ssd" -> new FaceAnalyzer.Detector(FaceAnalyzer.Detector.Kind.SSD_MOBILENETV1, minConfidence);
            case "tiny" -> new FaceAnalyzer.Detector(FaceAnalyzer.Detector.Kind.TINY_FACE_DETECTOR, minConfidence);
            default -> throw new InvalidInputException("--detector must be ssd or tiny, got \"" + name + "\".");
        };
    }
}
