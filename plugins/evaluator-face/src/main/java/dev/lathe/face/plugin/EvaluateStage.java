package dev.lathe.face.plugin;

import dev.lathe.api.ArtifactRef;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.api.PluginChoice;
import dev.lathe.api.eval.Evaluation;
import dev.lathe.api.eval.EvaluationRequest;
import dev.lathe.api.eval.Evaluator;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.face.likeness.ImageFolders;
import dev.lathe.face.likeness.LikenessEvaluation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Component;

/**
 * {@code evaluate}: scores folders of generated images (one per epoch or checkpoint) with an
 * {@link Evaluator} (default {@code face}) against a folder of reference images, writes
 * {@code evaluation.json} and the evaluator's files (histograms, per-image scores) into the stage
 * folder, and names the best candidate.
 *
 * <p>Candidates come from {@code generated}, a folder whose subfolders are the candidates (the
 * per-LoRA-file folders a {@code generate} stage writes, e.g. {@code samples.images} when it
 * rendered every epoch file of a train stage; a folder of images
 * without subfolders is a single candidate), and from {@code candidates}, a list of folders; the
 * order is that of {@code generated}'s subfolders in natural order (epoch-2 before epoch-10),
 * then the list.
 */
@Component(service = StageType.class, property = "id=evaluate")
public final class EvaluateStage implements StageType {

    static final String EVALUATOR = "evaluator";
    static final String REFERENCES = "references";
    static final String GENERATED = "generated";
    static final String CANDIDATES = "candidates";

    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.path(REFERENCES, "Folder of reference images (e.g. close-ups of the real subject)").mandatory(),
            OptionSpec.artifact(GENERATED, "Folder whose subfolders are the candidates, e.g. the epoch folders of a generate"
                    + " stage (\"samples.images\")"),
            OptionSpec.list(CANDIDATES, OptionSpec.artifact("candidate", "A folder of generated images"),
                    "Candidate folders, earliest first"),
            OptionSpec.plugin(EVALUATOR, Evaluator.class, "face", "How images are scored"));

    @Override
    public String id() {
        return "evaluate";
    }

    @Override
    public String description() {
        return "Scores folders of generated images (one per epoch) against reference images and picks the best";
    }

    @Override
    public List<OptionSpec> options() {
        return OPTIONS;
    }

    @Override
    public Set<String> outputs() {
        return Set.of("report", "best");
    }

    @Override
    public StageResult run(StageContext context) {
        Options options = context.options();
        PluginChoice choice = options.getPlugin(EVALUATOR);
        Evaluator evaluator = context.plugin(Evaluator.class, choice);
        EvaluationRequest request = new EvaluationRequest(options.getPath(REFERENCES), candidates(context), context.stageDir());

        Evaluation evaluation;
        try (Progress progress = context.progress("score images", countImages(request))) {
            evaluation = evaluator.evaluate(request, choice.options(), progress);
        }
        EvaluationReport report = new EvaluationReport(choice.id(), choice.options(), request, evaluation);
        Path file = report.write(context.stageDir());
        return new StageResult(Map.of("report", file, "best", report.bestFolder()), summary(evaluation));
    }

    /** {@code best: epoch-3 (82% of 200 images below 0.6)}: the rule itself is in the report. */
    static String summary(Evaluation evaluation) {
        Evaluation.Summary best = evaluation.summaries().stream().filter(s -> s.label().equals(evaluation.best()))
                .findFirst().orElseThrow();
        return best.shareBelow().entrySet().stream().findFirst()
                .map(first -> String.format(Locale.ROOT, "best: %s (%.0f%% of %d images below %s)", best.label(),
                        100 * first.getValue(), best.images(), LikenessEvaluation.formatThreshold(first.getKey())))
                .orElse("best: " + best.label());
    }

    private static List<EvaluationRequest.Candidate> candidates(StageContext context) {
        List<Path> folders = new ArrayList<>();
        Options options = context.options();
        if (options.has(GENERATED)) {
            Path generated = context.resolve(options.getArtifact(GENERATED));
            List<Path> epochs = ImageFolders.subfolders(generated, "folder of generated images");
            folders.addAll(epochs.isEmpty() ? List.of(generated) : epochs);
        }
        if (options.has(CANDIDATES)) {
            for (ArtifactRef candidate : options.<ArtifactRef>getList(CANDIDATES)) {
                folders.add(context.resolve(candidate));
            }
        }
        if (folders.isEmpty()) {
            throw new InvalidInputException("Stage \"" + context.stageName() + "\" has nothing to evaluate: give \"" + GENERATED
                    + "\" (a folder with one subfolder of images per epoch, e.g. a generate stage's output) or \"" + CANDIDATES
                    + "\" (a list of image folders).");
        }
        return labelled(folders);
    }

    /** Candidates labelled by folder name, with the parent's name added where names repeat. */
    static List<EvaluationRequest.Candidate> labelled(List<Path> folders) {
        Set<String> names = new HashSet<>();
        Set<String> repeated = new HashSet<>();
        for (Path folder : folders) {
            if (!names.add(name(folder))) {
                repeated.add(name(folder));
            }
        }
        Set<String> taken = new HashSet<>();
        List<EvaluationRequest.Candidate> candidates = new ArrayList<>();
        for (Path folder : folders) {
            String label = name(folder);
            if (repeated.contains(label) && folder.toAbsolutePath().getParent() != null) {
                label = name(folder.toAbsolutePath().getParent()) + "/" + label;
            }
            String unique = label;
            for (int i = 2; !taken.add(unique); i++) {
                unique = label + " (" + i + ")";
            }
            candidates.add(new EvaluationRequest.Candidate(unique, folder));
        }
        return candidates;
    }

    private static String name(Path folder) {
        Path name = folder.toAbsolutePath().normalize().getFileName();
        return name == null ? folder.toString() : name.toString();
    }

    /** For the progress bar only: image files in the references and candidates. */
    static long countImages(EvaluationRequest request) {
        long total = count(request.references());
        for (EvaluationRequest.Candidate c : request.candidates()) {
            total += count(c.folder());
        }
        return total;
    }

    private static long count(Path folder) {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(ImageFolders::isImage).count();
        } catch (IOException e) {
            return 0;
        }
    }
}
