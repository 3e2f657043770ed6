package dev.lathe.face.likeness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.eval.Evaluation;
import dev.lathe.api.eval.EvaluationRequest;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.face.Fixtures;
import dev.lathe.face.analysis.FaceAnalyzer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Likeness of a subject's variants and of other people to reference photos of the subject
 * (s1f0), from the fixture portraits.
 */
class LikenessEvaluationTest {

    static final LikenessEvaluation.Settings SETTINGS = new LikenessEvaluation.Settings(
            DistanceMetric.EUCLIDEAN, List.of(0.6, 0.7), 0.8, FaceAnalyzer.Detector.SSD);

    @TempDir
    static Path dir;
    static Path references;
    static Path others;
    static Path subject;

    @BeforeAll
    static void folders() {
        references = Fixtures.copy(dir.resolve("references"), "variants/s1f0_original.png", "variants/s1f0_jpeg60.jpg",
                "variants/s1f0_downscale50.png");
        // "epoch 1" draws other people, and one image without a face
        others = Fixtures.copy(dir.resolve("epoch-1"), "variants/s1f2_original.png", "variants/s2f0_original.png",
                "variants/s3f0_original.png");
        Fixtures.blankPng(others.resolve("blank.png"));
        // "epoch 2" draws the subject
        subject = Fixtures.copy(dir.resolve("epoch-2"), "variants/s1f0_flip.png", "variants/s1f0_brightness15.png",
                "variants/s1f0_shift5.png");
    }

    @Test
    void theSubjectsVariantsAreBelowTheThresholdAndOtherPeopleAbove() throws Exception {
        Path out = dir.resolve("out");
        AtomicLong advanced = new AtomicLong();
        Evaluation evaluation = evaluation(dir.resolve("cache")).evaluate(new EvaluationRequest(references,
                List.of(new EvaluationRequest.Candidate("epoch-1", others), new EvaluationRequest.Candidate("epoch-2", subject)),
                out), counting(advanced));

        assertEquals(3 + 4 + 3, advanced.get(), "one step per image");
        Evaluation.Summary epoch1 = evaluation.summaries().get(0);
        assertEquals(4, epoch1.images());
        assertEquals(1, epoch1.misses());
        assertEquals(0.0, epoch1.shareBelow().get(0.6));
        assertTrue(epoch1.mean() > 0.6, "other people: " + epoch1.mean());
        Evaluation.Summary epoch2 = evaluation.summaries().get(1);
        assertEquals(3, epoch2.images());
        assertEquals(0, epoch2.misses());
        assertEquals(1.0, epoch2.shareBelow().get(0.6));
        assertEquals(1.0, epoch2.shareBelow().get(0.7));
        assertTrue(epoch2.median() < 0.5, "the subject: " + epoch2.median());

        assertEquals("epoch-2", evaluation.best());
        assertTrue(evaluation.rule().startsWith("epoch-2 is the earliest candidate with at least 80% of its images below 0.6 (euclidean distance)"),
                evaluation.rule());
        BufferedImage histogram = ImageIO.read(epoch2.histogram().toFile());
        assertNotNull(histogram);
        assertEquals(720, histogram.getWidth());
        List<String> csv = Files.readAllLines(out.resolve("distances-epoch-1.csv"));
        assertEquals("image,faces,euclidean_distance", csv.get(0));
        assertTrue(csv.contains("blank.png,0,"), csv.toString());
    }

    @Test
    void referenceDescriptorsAreCachedByFileHash() throws Exception {
        Path cache = dir.resolve("hash-cache");
        LikenessEvaluation evaluation = evaluation(cache);
        EvaluationRequest request = new EvaluationRequest(references, List.of(new EvaluationRequest.Candidate("epoch-2", subject)),
                dir.resolve("cached-out"));
        double first = evaluation.evaluate(request, counting(new AtomicLong())).summaries().get(0).mean();
        try (Stream<Path> entries = Files.list(cache)) {
            assertEquals(3, entries.filter(f -> f.toString().endsWith(".json")).count());
        }
        // A cached entry is used as it is: poison one and the mean moves.
        Path entry;
        try (Stream<Path> entries = Files.list(cache)) {
            entry = entries.findFirst().orElseThrow();
        }
        Files.writeString(entry, Files.readString(entry).replaceAll("\"descriptor\":\\[[^]]*]",
                "\"descriptor\":" + zeros(128)));
        double second = evaluation.evaluate(request, counting(new AtomicLong())).summaries().get(0).mean();
        assertTrue(Math.abs(first - second) > 0.1, first + " vs " + second);
    }

    @Test
    void noFaceInAnyReferenceIsAClearError() {
        Path blank = dir.resolve("blank-references");
        Fixtures.blankPng(blank.resolve("a.png"));
        Fixtures.blankPng(blank.resolve("b.png"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> evaluation(null).evaluate(
                new EvaluationRequest(blank, List.of(new EvaluationRequest.Candidate("s", subject)), dir.resolve("o")),
                counting(new AtomicLong())));
        assertTrue(e.getMessage().startsWith("No face was found in any of the 2 images of the reference folder " + blank),
                e.getMessage());
    }

    @Test
    void anUnreadableImageIsAClearError() throws Exception {
        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.write(broken.resolve("truncated.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0x00, 0x12});
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> evaluation(null).evaluate(
                new EvaluationRequest(references, List.of(new EvaluationRequest.Candidate("broken", broken)), dir.resolve("o")),
                counting(new AtomicLong())));
        assertTrue(e.getMessage().contains(broken.resolve("truncated.jpg").toString()), e.getMessage());
    }

    @Test
    void aFolderWithoutImagesIsAClearError() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> evaluation(null).evaluate(
                new EvaluationRequest(empty, List.of(new EvaluationRequest.Candidate("s", subject)), dir.resolve("o")),
                counting(new AtomicLong())));
        assertTrue(e.getMessage().startsWith("The reference folder " + empty + " holds no images"), e.getMessage());
    }

    @Test
    void withoutACandidateReachingTheShareTheHighestShareWins() {
        LikenessEvaluation strict = new LikenessEvaluation(Fixtures.analyzer(), null, new LikenessEvaluation.Settings(
                DistanceMetric.COSINE, List.of(0.005), 1.0, FaceAnalyzer.Detector.SSD));
        Evaluation evaluation = strict.evaluate(new EvaluationRequest(references,
                List.of(new EvaluationRequest.Candidate("epoch-1", others), new EvaluationRequest.Candidate("epoch-2", subject)),
                dir.resolve("strict")), counting(new AtomicLong()));
        assertEquals("epoch-2", evaluation.best());
        // the flipped portrait is about 0.019 away in cosine distance, the other two variants 0.002
        assertEquals("No candidate has 100% of its images below 0.005 (cosine distance); epoch-2 has the highest share:"
                + " 67% (2 of 3 images).", evaluation.rule());
    }

    private static LikenessEvaluation evaluation(Path cache) {
        return new LikenessEvaluation(Fixtures.analyzer(), cache, SETTINGS);
    }

    private static String zeros(int n) {
        return "[" + String.join(",", java.util.Collections.nCopies(n, "0.0")) + "]";
    }

    static Progress counting(AtomicLong advanced) {
        return new Progress() {
            @Override
            public void advance(long n) {
                advanced.addAndGet(n);
            }

            @Override
            public void status(String text) {
            }

            @Override
            public void close() {
            }
        };
    }
}
