package dev.lathe.face.likeness;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.RunFailedException;
import dev.lathe.api.eval.Evaluation;
import dev.lathe.api.eval.EvaluationRequest;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.face.analysis.Face;
import dev.lathe.face.analysis.FaceAnalyzer;
import dev.lathe.face.image.RgbImage;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Measures how much the faces in generated images look like the subject of a reference folder
 * (DESIGN.md §1 workflow 5).
 *
 * <p>Every reference photo contributes the descriptor of its largest face (cached by file hash).
 * Every candidate image is scored by the mean distance of its largest face to all reference
 * descriptors; an image without a face is counted as a miss and stays in the denominator of the
 * shares, so a checkpoint that stops drawing faces does not look better. Per candidate folder:
 * image count, misses, mean and median distance of the scored images, the share of all images
 * below each threshold, a histogram PNG and a CSV of every image's distance.
 *
 * <p>Best candidate: the earliest (in request order) whose share below the first threshold
 * reaches {@code bestShare}; if none does, the one with the highest share (the earliest of
 * equals).
 */
public final class LikenessEvaluation {

    /**
     * @param metric     how descriptors are compared
     * @param thresholds distances to report the shares below; the first decides the best candidate
     * @param bestShare  the share below the first threshold that makes a candidate good enough
     * @param detector   the face detector and its minimum confidence
     */
    public record Settings(DistanceMetric metric, List<Double> thresholds, double bestShare, FaceAnalyzer.Detector detector) {
        public Settings {
            if (thresholds.isEmpty()) {
                throw new IllegalArgumentException("at least one threshold");
            }
            thresholds = List.copyOf(thresholds);
        }

        /** What makes a cached reference descriptor valid for these settings. */
        String analysis() {
            return "face-api-1.7.15 " + detector.kind().label() + " minConfidence=" + detector.minConfidence() + " largest-face";
        }
    }

    /** Images decoded and analysed together (8 photos of 1920x1280 take 60 MB). */
    private static final int IMAGES_PER_BATCH = 8;

    private final FaceAnalyzer analyzer;
    private final Path cacheFolder;
    private final Settings settings;

    /**
     * @param cacheFolder where reference descriptors are cached; null for no cache
     */
    public LikenessEvaluation(FaceAnalyzer analyzer, Path cacheFolder, Settings settings) {
        this.analyzer = analyzer;
        this.cacheFolder = cacheFolder;
        this.settings = settings;
    }

    /**
     * Evaluates every candidate folder of the request against its reference folder, writing
     * histograms and per-image CSVs into the request's output folder.
     *
     * @param progress advanced by one per image analysed
     * @throws InvalidInputException for a missing or empty folder, an unreadable image, or
     *                               references in which no face is found
     */
    public Evaluation evaluate(EvaluationRequest request, Progress progress) {
        if (request.candidates().isEmpty()) {
            throw new InvalidInputException("Nothing to evaluate: give at least one folder of candidate images.");
        }
        // every folder is checked before the first image is analysed, not hours later
        List<List<Path>> candidateImages = new ArrayList<>();
        for (EvaluationRequest.Candidate candidate : request.candidates()) {
            candidateImages.add(ImageFolders.images(candidate.folder(), "candidate folder \"" + candidate.label() + "\""));
        }
        List<String> notes = new ArrayList<>();
        ReferenceSet references = references(request.references(), notes, progress);
        List<List<Score>> scores = new ArrayList<>();
        for (int c = 0; c < candidateImages.size(); c++) {
            List<Path> images = candidateImages.get(c);
            progress.status(request.candidates().get(c).label());
            List<List<Face>> faces = analyze(images, progress);
            List<Score> folder = new ArrayList<>(images.size());
            for (int i = 0; i < images.size(); i++) {
                Double distance = largest(faces.get(i))
                        .map(face -> references.meanDistance(face.descriptor(), settings.metric())).orElse(null);
                folder.add(new Score(images.get(i), faces.get(i).size(), distance));
            }
            scores.add(folder);
        }

        createFolder(request.outputDir());
        double largest = settings.thresholds().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        for (List<Score> folder : scores) {
            for (Score s : folder) {
                largest = s.distance() == null ? largest : Math.max(largest, s.distance());
            }
        }
        Histogram.Axis axis = Histogram.Axis.upTo(largest);
        Set<String> fileNames = new HashSet<>();
        List<Evaluation.Summary> summaries = new ArrayList<>();
        for (int i = 0; i < scores.size(); i++) {
            EvaluationRequest.Candidate candidate = request.candidates().get(i);
            summaries.add(summarize(candidate, scores.get(i), axis, request.outputDir(), uniqueName(candidate.label(), fileNames)));
        }
        int best = best(summaries);
        return new Evaluation(summaries, summaries.get(best).label(), rule(summaries, best), notes);
    }

    /** One candidate image: its faces, and the distance of the largest to the references. */
    private record Score(Path image, int faces, Double distance) {
    }

    /**
     * The faces of each image, read and analysed a few images at a time: the landmark and
     * recognition nets run faster on the faces of several images at once.
     */
    private List<List<Face>> analyze(List<Path> files, Progress progress) {
        List<List<Face>> faces = new ArrayList<>(files.size());
        for (int from = 0; from < files.size(); from += IMAGES_PER_BATCH) {
            List<Path> group = files.subList(from, Math.min(files.size(), from + IMAGES_PER_BATCH));
            faces.addAll(analyzer.analyzeAll(RgbImage.readAll(group), settings.detector()));
            progress.advance(group.size());
        }
        return faces;
    }

    private static Optional<Face> largest(List<Face> faces) {
        return faces.stream().max(Comparator.comparingDouble(Face::area));
    }

    private ReferenceSet references(Path folder, List<String> notes, Progress progress) {
        List<Path> images = ImageFolders.images(folder, "reference folder");
        DescriptorCache cache = new DescriptorCache(cacheFolder, settings.analysis());
        progress.status("references");
        Map<Path, String> hashes = new LinkedHashMap<>();
        Map<Path, DescriptorCache.Entry> entries = new HashMap<>();
        for (Path image : images) {
            hashes.put(image, sha256(image));
            cache.find(hashes.get(image)).ifPresent(entry -> entries.put(image, entry));
        }
        progress.advance(entries.size());
        List<Path> uncached = images.stream().filter(image -> !entries.containsKey(image)).toList();
        List<List<Face>> analysed = analyze(uncached, progress);
        for (int i = 0; i < uncached.size(); i++) {
            List<Face> faces = analysed.get(i);
            DescriptorCache.Entry entry = largest(faces).map(face -> new DescriptorCache.Entry(faces.size(), face.descriptor()))
                    .orElse(DescriptorCache.Entry.none());
            cache.store(hashes.get(uncached.get(i)), entry);
            entries.put(uncached.get(i), entry);
        }

        List<float[]> descriptors = new ArrayList<>();
        for (Path image : images) {
            DescriptorCache.Entry entry = entries.get(image);
            if (!entry.hasFace()) {
                notes.add("Reference " + image.getFileName() + ": no face found; left out.");
                continue;
            }
            if (entry.faces() > 1) {
                notes.add("Reference " + image.getFileName() + ": " + entry.faces() + " faces; the largest is used.");
            }
            descriptors.add(entry.descriptor());
        }
        if (descriptors.isEmpty()) {
            throw new InvalidInputException("No face was found in any of the " + images.size() + " images of the reference folder "
                    + folder + " (detector " + settings.detector().kind().label() + ", minimum confidence "
                    + settings.detector().minConfidence() + "). References should be photos of the subject with the face clearly"
                    + " visible, e.g. close-ups; or lower the minimum confidence.");
        }
        return new ReferenceSet(descriptors);
    }

    private Evaluation.Summary summarize(EvaluationRequest.Candidate candidate, List<Score> scores, Histogram.Axis axis,
                                         Path outputDir, String fileName) {
        List<Double> distances = scores.stream().map(Score::distance).filter(d -> d != null).sorted().toList();
        int misses = scores.size() - distances.size();
        double mean = distances.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        Map<Double, Double> shareBelow = new LinkedHashMap<>();
        for (double threshold : settings.thresholds()) {
            shareBelow.put(threshold, distances.stream().filter(d -> d < threshold).count() / (double) scores.size());
        }
        Path histogram = outputDir.resolve("histogram-" + fileName + ".png");
        try {
            String subtitle = scores.size() + " images, " + misses + " without a face"
                    + (distances.isEmpty() ? "" : ", mean " + Histogram.format(mean, 3) + ", median " + Histogram.format(median(distances), 3));
            Histogram.write(histogram, candidate.label(), subtitle, settings.metric().label(), axis, distances, shareBelow);
            writeCsv(outputDir.resolve("distances-" + fileName + ".csv"), scores);
        } catch (IOException e) {
            throw new RunFailedException("Cannot write the evaluation of " + candidate.label() + " into " + outputDir + ": "
                    + e.getMessage() + ". Check that the folder is writable and the disk is not full.", e);
        }
        return new Evaluation.Summary(candidate.label(), scores.size(), misses, mean, median(distances), shareBelow, histogram);
    }

    private void writeCsv(Path file, List<Score> scores) throws IOException {
        StringBuilder csv = new StringBuilder("image,faces,").append(settings.metric().label()).append("_distance\n");
        for (Score s : scores) {
            csv.append(s.image().getFileName()).append(',').append(s.faces()).append(',')
                    .append(s.distance() == null ? "" : String.format(Locale.ROOT, "%.6f", s.distance())).append('\n');
        }
        Files.writeString(file, csv);
    }

    /** The median of sorted values; NaN for none. */
    static double median(List<Double> sorted) {
        int n = sorted.size();
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private int best(List<Evaluation.Summary> summaries) {
        double threshold = settings.thresholds().get(0);
        int highest = 0;
        for (int i = 0; i < summaries.size(); i++) {
            double share = summaries.get(i).shareBelow().get(threshold);
            if (share >= settings.bestShare()) {
                return i;
            }
            if (share > summaries.get(highest).shareBelow().get(threshold)) {
                highest = i;
            }
        }
        return highest;
    }

    private String rule(List<Evaluation.Summary> summaries, int best) {
        double threshold = settings.thresholds().get(0);
        Evaluation.Summary chosen = summaries.get(best);
        double share = chosen.shareBelow().get(threshold);
        String below = "below " + formatThreshold(threshold) + " (" + settings.metric().label() + " distance)";
        String numbers = Histogram.percent(share) + " (" + Math.round(share * chosen.images()) + " of " + chosen.images() + " images)";
        if (share >= settings.bestShare()) {
            return chosen.label() + " is the earliest candidate with at least " + Histogram.percent(settings.bestShare())
                    + " of its images " + below + ": " + numbers + ".";
        }
        return "No candidate has " + Histogram.percent(settings.bestShare()) + " of its images " + below + "; "
                + chosen.label() + " has the highest share: " + numbers + ".";
    }

    /** A threshold as the user wrote it: {@code 0.6}, {@code 0.005}. */
    public static String formatThreshold(double threshold) {
        return BigDecimal.valueOf(threshold).stripTrailingZeros().toPlainString();
    }

    private static String uniqueName(String label, Set<String> taken) {
        String base = label.replaceAll("[^A-Za-z0-9._-]", "_");
        String name = base;
        for (int i = 2; !taken.add(name); i++) {
            name = base + "-" + i;
        }
        return name;
    }

    private static void createFolder(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new RunFailedException("Cannot create the output folder " + folder + ": " + e.getMessage() + ".", e);
        }
    }

    private static String sha256(Path file) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read the image " + file + ": " + e.getMessage() + ".", e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
