package dev.lathe.face.plugin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lathe.api.Options;
import dev.lathe.api.RunFailedException;
import dev.lathe.api.eval.Evaluation;
import dev.lathe.api.eval.EvaluationRequest;
import dev.lathe.face.likeness.LikenessEvaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An evaluation as the {@code evaluate} stage and command report it: {@value #FILE_NAME} and a
 * text table.
 *
 * <p>JSON: {@code {"evaluator", "options", "references", "candidates": [{"label", "folder",
 * "images", "noFace", "mean", "median", "shareBelow": {"0.6": share, …}, "histogram"}], "best",
 * "bestFolder", "rule", "notes"}}; shares are fractions of all images of the folder, mean and
 * median are null when no image had a face.
 */
record EvaluationReport(String evaluator, Options options, EvaluationRequest request, Evaluation evaluation) {

    static final String FILE_NAME = "evaluation.json";

    /** The folder of the chosen candidate. */
    Path bestFolder() {
        return request.candidates().stream().filter(c -> c.label().equals(evaluation.best())).findFirst()
                .orElseThrow(() -> new IllegalStateException("the best candidate " + evaluation.best() + " is not in the request"))
                .folder();
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("evaluator", evaluator);
        json.put("options", options.asMap());
        json.put("references", request.references().toString());
        List<Map<String, Object>> candidates = new ArrayList<>();
        for (int i = 0; i < evaluation.summaries().size(); i++) {
            Evaluation.Summary s = evaluation.summaries().get(i);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("label", s.label());
            c.put("folder", request.candidates().get(i).folder().toString());
            c.put("images", s.images());
            c.put("noFace", s.misses());
            c.put("mean", finite(s.mean()));
            c.put("median", finite(s.median()));
            Map<String, Double> shares = new LinkedHashMap<>();
            s.shareBelow().forEach((threshold, share) -> shares.put(threshold.toString(), share));
            c.put("shareBelow", shares);
            c.put("histogram", s.histogram() == null ? null : s.histogram().toString());
            candidates.add(c);
        }
        json.put("candidates", candidates);
        json.put("best", evaluation.best());
        json.put("bestFolder", bestFolder().toString());
        json.put("rule", evaluation.rule());
        json.put("notes", evaluation.notes());
        return json;
    }

    String toJsonText() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@value #FILE_NAME} into {@code folder} (through a temp file) and returns it. */
    Path write(Path folder) {
        Path file = folder.resolve(FILE_NAME);
        try {
            Files.createDirectories(folder);
            Path temp = Files.createTempFile(folder, ".evaluation", ".json");
            Files.writeString(temp, toJsonText() + "\n");
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new RunFailedException("Cannot write " + file + ": " + e.getMessage()
                    + ". Check that the folder is writable and the disk is not full.", e);
        }
        return file;
    }

    /** One row per candidate, then the choice, the rule and any notes. */
    String toTable() {
        List<Double> thresholds = evaluation.summaries().isEmpty() ? List.of()
                : new ArrayList<>(evaluation.summaries().get(0).shareBelow().keySet());
        int width = Math.max(9, evaluation.summaries().stream().mapToInt(s -> s.label().length()).max().orElse(0));
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%-" + width + "s %7s %8s %7s %7s", "candidate", "images", "no face", "mean", "median"));
        for (double t : thresholds) {
            table.append(String.format(Locale.ROOT, " %7s", "<" + LikenessEvaluation.formatThreshold(t)));
        }
        table.append('\n');
        for (Evaluation.Summary s : evaluation.summaries()) {
            table.append(String.format(Locale.ROOT, "%-" + width + "s %7d %8d %7s %7s", s.label(), s.images(), s.misses(),
                    number(s.mean()), number(s.median())));
            for (double t : thresholds) {
                table.append(String.format(Locale.ROOT, " %6.1f%%", 100 * s.shareBelow().get(t)));
            }
            table.append('\n');
        }
        table.append("Best: ").append(evaluation.best()).append('\n').append(evaluation.rule()).append('\n');
        for (String note : evaluation.notes()) {
            table.append("Note: ").append(note).append('\n');
        }
        return table.toString();
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private static String number(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "-";
    }
}
