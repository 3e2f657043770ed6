package dev.lathe.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The face evaluator's commands in the built product: ND4J from the launcher's class path inside
 * Felix, the model weights from the bundle. Inputs come from {@code shared/fixtures/face}
 * (system property {@code lathe.shared.dir}): required when {@code CI=true}, else the tests are
 * skipped when it is absent.
 */
public class FaceCommandsIT {

    @ClassRule
    public static final TemporaryFolder TEMP = new TemporaryFolder();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path lathe;
    private static Path fixtures;

    @BeforeClass
    public static void locate() {
        lathe = LatheContainer.distribution().resolve("bin/lathe");
        assertTrue("not built: " + lathe, Files.isExecutable(lathe));
        fixtures = Paths.get(System.getProperty("lathe.shared.dir", "../../shared")).resolve("fixtures/face");
        if (!Files.isDirectory(fixtures.resolve("images"))) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true but the shared face fixtures are missing at " + fixtures);
            }
            assumeTrue("shared face fixtures not present at " + fixtures, false);
        }
    }

    record Run(int code, String out, String err) {
    }

    private static Run lathe(Path workingDir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(lathe.toString()));
        command.addAll(List.of(args));
        Path out = TEMP.newFile().toPath();
        Path err = TEMP.newFile().toPath();
        Process process = new ProcessBuilder(command).directory(workingDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue("lathe did not finish within 180 s", process.waitFor(180, TimeUnit.SECONDS));
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    public void facesFindsTheFixtureFacesWithTheirDescriptors() throws Exception {
        List<String> args = new ArrayList<>(List.of("faces", "--json"));
        for (int n = 1; n <= 4; n++) {
            args.add(fixtures.resolve("images/sample" + n + ".jpg").toString());
        }
        Run run = lathe(TEMP.getRoot().toPath(), args.toArray(String[]::new));
        assertEquals(run.err, 0, run.code);

        JsonNode images = JSON.readTree(run.out);
        assertEquals(4, images.size());
        int faces = 0;
        for (int n = 1; n <= 4; n++) {
            JsonNode image = images.get(n - 1);
            assertEquals(args.get(n + 1), image.get("image").asText());
            // ImageIO decodes the JPEGs exactly as the fixtures' "imageio" decode
            JsonNode expected = JSON.readTree(fixtures.resolve("samples/sample" + n + ".json").toFile())
                    .get("decodes").get("imageio").get("faces");
            assertEquals("faces in sample " + n, expected.size(), image.get("faces").size());
            for (int i = 0; i < expected.size(); i++) {
                JsonNode face = image.get("faces").get(i);
                String id = expected.get(i).get("id").asText();
                assertEquals(id, expected.get(i).get("ssd").get("box").get("x").asDouble(), face.get("box").get("x").asDouble(), 0.01);
                assertEquals(id, expected.get(i).get("ssd").get("score").asDouble(), face.get("score").asDouble(), 1e-4);
                assertEquals(68, face.get("landmarks").size());
                JsonNode descriptor = expected.get(i).get("descriptor");
                assertEquals(128, face.get("descriptor").size());
                for (int k = 0; k < 128; k++) {
                    assertEquals(id + " descriptor[" + k + "]", (float) descriptor.get(k).asDouble(),
                            (float) face.get("descriptor").get(k).asDouble(), 1e-4);
                }
                faces++;
            }
        }
        assertEquals(13, faces);
    }

    @Test
    public void evaluateSeparatesTheSubjectFromOtherPeople() throws Exception {
        Path work = TEMP.newFolder("evaluate").toPath();
        Path references = copy(work.resolve("s3f1"), "variants/s3f1_original.png", "variants/s3f1_jpeg60.jpg",
                "variants/s3f1_downscale50.png");
        Path subject = copy(work.resolve("subject"), "variants/s3f1_flip.png", "variants/s3f1_brightness15.png",
                "variants/s3f1_shift5.png", "variants/s3f1_leftcut20.png");
        Path others = copy(work.resolve("others"), "variants/s1f0_original.png", "variants/s1f2_original.png",
                "variants/s2f0_original.png", "variants/s3f0_original.png", "variants/s1f0_jpeg60.jpg");

        Run run = lathe(work, "evaluate", "--reference", references.toString(), "--candidates", subject.toString(),
                others.toString(), "--threshold", "0.6", "--json", "--out", work.resolve("report").toString());
        assertEquals(run.err, 0, run.code);

        JsonNode report = JSON.readTree(run.out);
        JsonNode same = report.get("candidates").get(0);
        JsonNode different = report.get("candidates").get(1);
        assertEquals("subject", same.get("label").asText());
        assertEquals(4, same.get("images").asInt());
        assertTrue(same.toString(), same.get("shareBelow").get("0.6").asDouble() >= 0.75);
        assertEquals(5, different.get("images").asInt());
        assertTrue(different.toString(), different.get("shareBelow").get("0.6").asDouble() <= 0.25);
        assertTrue(different.toString(), different.get("mean").asDouble() > 0.6);
        assertEquals("subject", report.get("best").asText());
        assertEquals(report, JSON.readTree(work.resolve("report/evaluation.json").toFile()));
        assertTrue(Files.size(work.resolve("report/histogram-subject.png")) > 1000);
    }

    @Test
    public void unreadableImagesAndFacelessReferencesAreClearErrors() throws Exception {
        Path work = TEMP.newFolder("errors").toPath();
        Path broken = Files.writeString(work.resolve("broken.jpg"), "this is not a JPEG");
        Run faces = lathe(work, "faces", broken.toString());
        assertCleanError(faces, "broken.jpg");

        // the tight landmark crops leave SSD nothing to find
        Path faceless = copy(work.resolve("faceless"), "crops/imageio/s3f1_landmark_input.png",
                "crops/jpeg-js/s3f1_recognition_input.png");
        Path candidates = copy(work.resolve("candidates"), "variants/s3f1_original.png");
        Run evaluate = lathe(work, "evaluate", "--reference", faceless.toString(), "--candidates", candidates.toString());
        assertCleanError(evaluate, "No face was found in any of the 2 images of the reference folder " + faceless);
    }

    private static void assertCleanError(Run run, String mustMention) {
        assertEquals("exit code; stderr: " + run.err, 2, run.code);
        assertFalse("stack trace printed: " + run.err, run.err.contains("\tat ") || run.err.contains("Exception in thread"));
        assertTrue("stderr should mention '" + mustMention + "': " + run.err, run.err.contains(mustMention));
    }

    private static Path copy(Path folder, String... files) throws IOException {
        Files.createDirectories(folder);
        for (String file : files) {
            Path source = fixtures.resolve(file);
            Files.copy(source, folder.resolve(source.getFileName()));
        }
        return folder;
    }
}
