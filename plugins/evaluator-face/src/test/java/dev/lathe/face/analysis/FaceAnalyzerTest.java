package dev.lathe.face.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.face.Fixtures;
import dev.lathe.face.image.IntBox;
import dev.lathe.face.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole pipeline (SSD → landmark crop → landmarks → alignment → descriptor) on the ImageIO
 * decodes of the sample photos, stage by stage.
 */
class FaceAnalyzerTest {

    static final double PIXELS = 0.01;
    static final double DESCRIPTOR = 1e-4;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void everyStageOfEveryFace(int n) {
        JsonNode decode = Fixtures.json("samples/sample" + n + ".json").get("decodes").get("imageio");
        RgbImage image = Fixtures.image("images/sample" + n + ".jpg");
        assertEquals(decode.get("rgbSha256").asText(), image.sha256(), "ImageIO must give the fixtures' pixels");

        List<Face> faces = Fixtures.faces("images/sample" + n + ".jpg");

        assertEquals(decode.get("faces").size(), faces.size());
        for (int i = 0; i < faces.size(); i++) {
            assertFace(decode.get("faces").get(i), faces.get(i));
        }
    }

    @Test
    void severalImagesAtOnceGiveWhatEachGivesAlone() {
        List<RgbImage> images = new ArrayList<>();
        for (int n = 1; n <= 4; n++) {
            images.add(Fixtures.image("images/sample" + n + ".jpg"));
        }
        List<List<Face>> faces = Fixtures.analyzer().analyzeAll(images, FaceAnalyzer.Detector.SSD);
        assertEquals(4, faces.size());
        for (int n = 1; n <= 4; n++) {
            JsonNode expected = Fixtures.json("samples/sample" + n + ".json").get("decodes").get("imageio").get("faces");
            assertEquals(expected.size(), faces.get(n - 1).size());
            for (int i = 0; i < expected.size(); i++) {
                assertFace(expected.get(i), faces.get(n - 1).get(i));
            }
        }
    }

    /** Compares one analysed face with a face object of the fixtures (samples or variants). */
    static void assertFace(JsonNode expected, Face actual) {
        String id = expected.has("id") ? expected.get("id").asText() : "face " + expected.get("index").asInt();
        assertEquals(expected.get("ssd").get("score").asDouble(), actual.detection().score(), 1e-4, id + " score");
        assertEquals(expected.get("ssd").get("box").get("x").asDouble(), actual.detection().box().x(), PIXELS, id + " box");
        assertEquals(expected.get("ssd").get("box").get("y").asDouble(), actual.detection().box().y(), PIXELS, id + " box");
        assertEquals(expected.get("ssd").get("box").get("width").asDouble(), actual.detection().box().width(), PIXELS, id + " box");
        assertEquals(expected.get("ssd").get("box").get("height").asDouble(), actual.detection().box().height(), PIXELS, id + " box");
        assertEquals(intBox(expected.get("landmarkNetInputBox")), actual.landmarkInputBox(), id + " landmark crop");
        Fixtures.assertClose(Fixtures.floats(expected.get("landmarkNetRawOutput")), actual.rawLandmarks(), 1e-5, 0, id + " raw landmarks");
        assertPoints(expected.get("landmarksInCrop"), actual.landmarksInCrop(), id + " landmarks in crop");
        assertPoints(expected.get("landmarks"), actual.landmarks(), id + " landmarks");
        JsonNode alignment = expected.get("alignment");
        assertPoint(alignment.get("leftEyeCenter"), actual.alignment().leftEyeCenter(), id + " left eye");
        assertPoint(alignment.get("rightEyeCenter"), actual.alignment().rightEyeCenter(), id + " right eye");
        assertPoint(alignment.get("mouthCenter"), actual.alignment().mouthCenter(), id + " mouth");
        assertEquals(intBox(alignment.get("rect")), actual.alignment().rect(), id + " alignment rect");
        assertEquals(intBox(alignment.get("cropBox")), actual.alignment().cropBox(), id + " recognition crop");
        double difference = Fixtures.maxAbsDifference(Fixtures.floats(expected.get("descriptor")), actual.descriptor());
        assertTrue(difference < DESCRIPTOR, id + ": descriptor differs by " + difference);
    }

    static IntBox intBox(JsonNode box) {
        return new IntBox(box.get("x").asInt(), box.get("y").asInt(), box.get("width").asInt(), box.get("height").asInt());
    }

    private static void assertPoints(JsonNode expected, Point[] actual, String what) {
        assertEquals(expected.size(), actual.length, what);
        for (int p = 0; p < actual.length; p++) {
            assertPoint(expected.get(p), actual[p], what + " #" + p);
        }
    }

    private static void assertPoint(JsonNode expected, Point actual, String what) {
        assertEquals(expected.get(0).asDouble(), actual.x(), PIXELS, what + " x");
        assertEquals(expected.get(1).asDouble(), actual.y(), PIXELS, what + " y");
    }
}
