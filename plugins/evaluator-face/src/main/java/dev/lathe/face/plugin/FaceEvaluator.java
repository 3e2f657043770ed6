package dev.lathe.face.plugin;

import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.api.eval.Evaluation;
import dev.lathe.api.eval.EvaluationRequest;
import dev.lathe.api.eval.Evaluator;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.face.analysis.FaceAnalyzer;
import dev.lathe.face.likeness.DistanceMetric;
import dev.lathe.face.likeness.LikenessEvaluation;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code face}: likeness of generated faces to photos of the subject, by the distance of 128-D
 * face descriptors (face-api's networks on ND4J). See {@link LikenessEvaluation}.
 */
@Component(service = Evaluator.class, property = "id=face")
public final class FaceEvaluator implements Evaluator {

    static final String METRIC = "metric";
    static final String THRESHOLDS = "thresholds";
    static final String BEST_SHARE = "bestShare";
    static final String DETECTOR = "detector";
    static final String MIN_CONFIDENCE = "minConfidence";

    static final List<Double> DEFAULT_THRESHOLDS = List.of(0.6, 0.7);
    static final double DEFAULT_BEST_SHARE = 0.8;

    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.choice(METRIC, "euclidean", List.of("euclidean", "cosine"),
                    "How descriptors are compared: euclidean (face-api's measure; same person below about 0.6) or cosine (1 - cos; "
                            + "about d^2/4.2 for a Euclidean distance d, so choose thresholds for it)"),
            OptionSpec.list(THRESHOLDS, OptionSpec.number("threshold", null, "A distance").min(0),
                    "Distances to report the share of images below; the first decides the best candidate").withDefault(DEFAULT_THRESHOLDS),
            OptionSpec.number(BEST_SHARE, DEFAULT_BEST_SHARE,
                    "The best candidate is the earliest whose share of images below the first threshold reaches this").min(0).max(1),
            OptionSpec.choice(DETECTOR, "ssd", List.of("ssd", "tiny"),
                    "Face detector: ssd (SSD MobileNetV1, accurate) or tiny (Tiny Face Detector, faster)"),
            OptionSpec.number(MIN_CONFIDENCE, 0.5, "Detections scoring at or below this are not faces").min(0.01).max(0.99));

    private final FaceService faces;

    @Activate
    public FaceEvaluator(@Reference FaceService faces) {
        this.faces = faces;
    }

    @Override
    public String id() {
        return "face";
    }

    @Override
    public String description() {
        return "Face likeness: distance of face descriptors (face-api SSD MobileNetV1 + dlib ResNet) to reference photos";
    }

    @Override
    public List<OptionSpec> options() {
        return OPTIONS;
    }

    @Override
    public Evaluation evaluate(EvaluationRequest request, Options options, Progress progress) {
        return new LikenessEvaluation(faces.analyzer(), faces.cacheFolder(), settings(options)).evaluate(request, progress);
    }

    static LikenessEvaluation.Settings settings(Options options) {
        return new LikenessEvaluation.Settings(DistanceMetric.of(options.getString(METRIC)), options.getList(THRESHOLDS),
                options.getDouble(BEST_SHARE), FaceAnalyzer.Detector.of(options.getString(DETECTOR), options.getDouble(MIN_CONFIDENCE)));
    }
}
