package dev.lathe.face.plugin;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.Options;
import dev.lathe.api.cli.CommandPlugin;
import dev.lathe.api.eval.Evaluation;
import dev.lathe.api.eval.EvaluationRequest;
import dev.lathe.api.eval.Evaluator;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.pipeline.ConsoleProgress;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lathe evaluate --reference DIR --candidates DIR...}: the face evaluator outside a
 * pipeline. Prints the statistics table (or the JSON report) and writes {@code evaluation.json},
 * histograms and per-image distances into {@code --out}.
 */
@Component(service = CommandPlugin.class, property = "id=evaluate")
public final class EvaluateCommand implements CommandPlugin {

    private final Evaluator evaluator;

    @Activate
    public EvaluateCommand(@Reference(target = "(id=face)") Evaluator evaluator) {
        this.evaluator = evaluator;
    }

    @Override
    public String id() {
        return "evaluate";
    }

    @Override
    public String description() {
        return "Face likeness of folders of generated images to reference photos";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        return PicocliCommand.run(new Arguments(out, err), args, out);
    }

    @Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Measure how much the faces in generated images look like the subject of the reference photos: for "
                    + "every candidate folder (one per epoch or checkpoint, earliest first), the mean and median distance of each "
                    + "image's largest face to the reference faces, the share of images below each threshold (images without a "
                    + "face count as not below), and a histogram. The best candidate is the earliest whose share below the first "
                    + "threshold reaches --best-share, else the one with the highest share.",
                    "Writes evaluation.json, histogram-<candidate>.png and distances-<candidate>.csv into --out."})
    private final class Arguments implements Callable<Integer> {

        @Option(names = "--reference", required = true, paramLabel = "DIR", description = "Folder of photos of the subject.")
        Path reference;

        @Option(names = "--candidates", required = true, arity = "1..*", paramLabel = "DIR",
                description = "Folders of generated images, earliest first.")
        List<Path> candidates;

        @Option(names = "--threshold", paramLabel = "DISTANCE",
                description = "Report the share of images below this distance; repeatable, the first decides the best "
                        + "candidate (default: 0.6 and 0.7).")
        List<Double> thresholds;

        @Option(names = "--best-share", defaultValue = "0.8", paramLabel = "SHARE",
                description = "Share below the first threshold that makes a candidate good enough (default ${DEFAULT-VALUE}).")
        double bestShare;

        @Option(names = "--metric", defaultValue = "euclidean", description = "euclidean (default) or cosine.")
        String metric;

        @Option(names = "--detector", defaultValue = "ssd", description = "ssd (SSD MobileNetV1, default) or tiny.")
        String detector;

        @Option(names = "--min-confidence", defaultValue = "0.5", description = "Minimum detection score (default ${DEFAULT-VALUE}).")
        double minConfidence;

        @Option(names = "--out", defaultValue = "face-evaluation", paramLabel = "DIR",
                description = "Where to write the report (default: ${DEFAULT-VALUE} in the current folder).")
        Path outDir;

        @Option(names = "--json", description = "Print the JSON report instead of the table.")
        boolean json;

        private final PrintStream out;
        private final PrintStream err;

        Arguments(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            Options options = options();
            EvaluationRequest request = new EvaluationRequest(reference, EvaluateStage.labelled(candidates), outDir);
            Evaluation evaluation;
            try (Progress progress = new ConsoleProgress(err, System.console() != null)
                    .start("evaluate", EvaluateStage.countImages(request))) {
                evaluation = evaluator.evaluate(request, options, progress);
            }
            EvaluationReport report = new EvaluationReport(evaluator.id(), options, request, evaluation);
            Path file = report.write(outDir);
            if (json) {
                out.println(report.toJsonText());
            } else {
                out.print(report.toTable());
                out.println("Report: " + file.toAbsolutePath().normalize());
            }
            return 0;
        }

        private Options options() {
            List<Double> chosen = thresholds == null || thresholds.isEmpty() ? FaceEvaluator.DEFAULT_THRESHOLDS : thresholds;
            for (double t : chosen) {
                if (!(t > 0)) {
                    throw new InvalidInputException("--threshold must be a positive distance, got " + t + ".");
                }
            }
            if (!(bestShare >= 0 && bestShare <= 1)) {
                throw new InvalidInputException("--best-share must be between 0 and 1, got " + bestShare + ".");
            }
            if (!List.of("euclidean", "cosine").contains(metric)) {
                throw new InvalidInputException("--metric must be euclidean or cosine, got \"" + metric + "\".");
            }
            CommandOptions.detector(detector, minConfidence);
            Map<String, Object> values = new LinkedHashMap<>();
            values.put(FaceEvaluator.METRIC, metric);
            values.put(FaceEvaluator.THRESHOLDS, List.copyOf(chosen));
            values.put(FaceEvaluator.BEST_SHARE, bestShare);
            values.put(FaceEvaluator.DETECTOR, detector);
            values.put(FaceEvaluator.MIN_CONFIDENCE, minConfidence);
            return Options.of(values);
        }
    }
}
