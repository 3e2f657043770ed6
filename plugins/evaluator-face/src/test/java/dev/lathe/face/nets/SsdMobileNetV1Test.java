package dev.lathe.face.nets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.face.Fixtures;
import dev.lathe.face.image.Box;
import dev.lathe.face.image.IntBox;
import dev.lathe.face.image.NetInput;
import dev.lathe.face.image.RgbImage;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** SSD MobileNetV1 on the ImageIO decodes of the four sample photos. */
class SsdMobileNetV1Test {

    /** Suggested by the fixtures' README for identical input pixels. */
    static final double PIXELS = 0.01;
    static final double SCORE = 1e-4;

    static JsonNode imageioDecode(int sample) {
        return Fixtures.json("samples/sample" + sample + ".json").get("decodes").get("imageio");
    }

    /** The sample as ImageIO decodes it, after checking these are the pixels the fixtures saw. */
    static RgbImage sample(int sample) {
        RgbImage image = Fixtures.image("images/sample" + sample + ".jpg");
        assertEquals(imageioDecode(sample).get("rgbSha256").asText(), image.sha256(), "decoded pixels of sample " + sample);
        return image;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void rawBoxesAndScoresOfEveryAnchor(int n) {
        RgbImage image = sample(n);
        JsonNode raw = imageioDecode(n).get("rawOutputs");
        SsdMobileNetV1.Output out = Fixtures.networks().ssdMobilenetv1().run(
                NetInput.squareResized(image, new IntBox(0, 0, image.width(), image.height()), false, SsdMobileNetV1.INPUT_SIZE),
                Probe.NONE);
        // boxes are fractions of the 512 input, which spans at least 1920 px here
        double boxes = Fixtures.maxAbsDifference(Fixtures.f32(raw.get("ssdBoxes").asText()), out.boxes());
        assertTrue(boxes < PIXELS / 1920, "boxes differ by " + boxes);
        double scores = Fixtures.maxAbsDifference(Fixtures.f32(raw.get("ssdScores").asText()), out.scores());
        assertTrue(scores < SCORE, "scores differ by " + scores);
        long above = 0;
        for (float s : out.scores()) {
            above += s > 0.5 ? 1 : 0;
        }
        assertEquals(raw.get("ssdAnchorsAboveMinConfidence").asLong(), above);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void detectionsAfterSuppression(int n) {
        JsonNode faces = imageioDecode(n).get("faces");
        List<Detection> detections = Fixtures.networks().ssdMobilenetv1().detect(sample(n), 0.5, 100);
        assertEquals(faces.size(), detections.size());
        assertEquals(imageioDecode(n).get("ssdMobilenetv1").get("count").asInt(), detections.size());
        for (int i = 0; i < faces.size(); i++) {
            JsonNode expected = faces.get(i).get("ssd");
            assertEquals(expected.get("score").asDouble(), detections.get(i).score(), SCORE);
            assertBox(expected.get("box"), detections.get(i).box(), PIXELS, faces.get(i).get("id").asText());
        }
    }

    @Test
    void layerByLayerOnSample1() {
        RgbImage image = sample(1);
        Trace recorded = new Trace();
        Fixtures.networks().ssdMobilenetv1().run(
                NetInput.squareResized(image, new IntBox(0, 0, image.width(), image.height()), false, SsdMobileNetV1.INPUT_SIZE),
                recorded);
        JsonNode layers = Fixtures.json("traces.json").get("ssdMobilenetv1").get("layers");
        // layers[0] is the resized input (NetInputTest); the last is the scores
        recorded.assertMatches(withoutLast(layers), 1, 1e-5);
    }

    private static JsonNode withoutLast(JsonNode array) {
        var copy = ((com.fasterxml.jackson.databind.node.ArrayNode) array).deepCopy();
        copy.remove(copy.size() - 1);
        return copy;
    }

    static void assertBox(JsonNode expected, Box actual, double tolerance, String what) {
        assertEquals(expected.get("x").asDouble(), actual.x(), tolerance, what + " x");
        assertEquals(expected.get("y").asDouble(), actual.y(), tolerance, what + " y");
        assertEquals(expected.get("width").asDouble(), actual.width(), tolerance, what + " width");
        assertEquals(expected.get("height").asDouble(), actual.height(), tolerance, what + " height");
    }
}
