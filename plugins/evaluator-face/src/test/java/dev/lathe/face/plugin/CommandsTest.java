package dev.lathe.face.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.InvalidInputException;
import dev.lathe.face.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lathe faces} and {@code lathe evaluate} as plugin commands, outside OSGi. */
class CommandsTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private int faces(String... args) throws Exception {
        return new FacesCommand(new FaceService(null)).run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private int evaluate(String... args) throws Exception {
        return new EvaluateCommand(new FaceEvaluator(new FaceService(dir.resolve("cache")))).run(List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void facesPrintsBoxLandmarksAndDescriptorPerImage() throws Exception {
        Path portrait = Fixtures.path("variants/s3f0_original.png");
        Path blank = Fixtures.blankPng(dir.resolve("blank.png"));
        assertEquals(0, faces(portrait.toString(), blank.toString(), "--json"));

        JsonNode images = new ObjectMapper().readTree(out());
        assertEquals(2, images.size());
        assertEquals(portrait.toString(), images.get(0).get("image").asText());
        assertEquals(0, images.get(1).get("faces").size());
        JsonNode face = images.get(0).get("faces").get(0);
        assertEquals(List.of("box", "score", "landmarks", "descriptor"), fieldNames(face));
        assertEquals(List.of("x", "y", "width", "height"), fieldNames(face.get("box")));
        assertEquals(68, face.get("landmarks").size());
        assertEquals(2, face.get("landmarks").get(0).size());
        assertEquals(128, face.get("descriptor").size());
        JsonNode expected = Fixtures.json("variants.json").get("faces").get(3).get("variants").get("original").get("decodes").get("png");
        assertEquals("s3f0", Fixtures.json("variants.json").get("faces").get(3).get("face").asText());
        JsonNode expectedFace = expected.get("face");
        assertEquals(expectedFace.get("ssd").get("box").get("x").asDouble(), face.get("box").get("x").asDouble(), 0.01);
        assertEquals(expectedFace.get("landmarks").get(30).get(1).asDouble(), face.get("landmarks").get(30).get(1).asDouble(), 0.01);
        double difference = Fixtures.maxAbsDifference(Fixtures.floats(expectedFace.get("descriptor")),
                Fixtures.floats(face.get("descriptor")));
        assertTrue(difference < 1e-4, "descriptor differs by " + difference);
    }

    @Test
    void facesAsText() throws Exception {
        assertEquals(0, faces(Fixtures.path("variants/s3f0_original.png").toString()));
        assertTrue(out().contains("s3f0_original.png: 1 face\n  #1 score 0.99"), out());
    }

    @Test
    void anUnreadableImageIsBadInputNamingTheFile() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.jpg"), "not an image");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> faces(text.toString()));
        assertTrue(e.getMessage().contains(text.toString()), e.getMessage());
    }

    @Test
    void usageErrorsAndHelp() throws Exception {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> faces());
        assertTrue(e.getMessage().contains("Missing required parameter") && e.getMessage().contains("lathe faces --help"),
                e.getMessage());
        assertThrows(InvalidInputException.class, () -> evaluate("--candidates", "x"));
        assertThrows(InvalidInputException.class, () -> evaluate("--reference", "r", "--candidates", "c", "--metric", "manhattan"));
        assertEquals(0, evaluate("--help"));
        assertTrue(out().contains("Usage: evaluate") && out().contains("--reference"), out());
    }

    @Test
    void evaluatePrintsTheTableAndWritesTheReport() throws Exception {
        Path references = Fixtures.copy(dir.resolve("references"), "variants/s3f1_original.png", "variants/s3f1_downscale50.png");
        Path same = Fixtures.copy(dir.resolve("same"), "variants/s3f1_flip.png", "variants/s3f1_shift5.png");
        Path others = Fixtures.copy(dir.resolve("others"), "variants/s1f2_original.png", "variants/s3f0_original.png");
        Path report = dir.resolve("report");

        assertEquals(0, evaluate("--reference", references.toString(), "--candidates", others.toString(), same.toString(),
                "--threshold", "0.6", "--out", report.toString()));

        String table = out();
        assertTrue(table.matches("(?s)candidate +images +no face +mean +median +<0\\.6\n"
                + "others +2 +0 +0\\.\\d{3} +0\\.\\d{3} +0\\.0%\n"
                + "same +2 +0 +0\\.\\d{3} +0\\.\\d{3} +100\\.0%\n.*"), table);
        assertTrue(table.contains("\nBest: same\n"), table);
        JsonNode json = new ObjectMapper().readTree(report.resolve("evaluation.json").toFile());
        assertEquals(1.0, json.get("candidates").get(1).get("shareBelow").get("0.6").asDouble());
        assertEquals(0.0, json.get("candidates").get(0).get("shareBelow").get("0.6").asDouble());
        assertEquals(List.of(0.6), List.of(json.get("options").get("thresholds").get(0).asDouble()));
        assertTrue(Files.isRegularFile(report.resolve("histogram-same.png")));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
