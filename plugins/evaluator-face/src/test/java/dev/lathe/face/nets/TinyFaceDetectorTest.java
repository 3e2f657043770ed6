package dev.lathe.face.nets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.face.Fixtures;
import dev.lathe.face.image.IntBox;
import dev.lathe.face.image.NetInput;
import dev.lathe.face.image.RgbImage;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Tiny Face Detector on the ImageIO decodes of the four sample photos. */
class TinyFaceDetectorTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void rawOutputAndDetections(int n) {
        RgbImage image = SsdMobileNetV1Test.sample(n);
        JsonNode decode = SsdMobileNetV1Test.imageioDecode(n);
        TinyFaceDetector tiny = Fixtures.networks().tinyFaceDetector();

        float[] raw = tiny.run(NetInput.squareResized(image, new IntBox(0, 0, image.width(), image.height()), false,
                TinyFaceDetector.INPUT_SIZE));
        // Logits and offsets span about ±60; float32 sums in another order differ by about 1e-5
        // of that range (the boxes below still agree to 0.01 px).
        Fixtures.assertClose(Fixtures.f32(decode.get("rawOutputs").get("tinyFaceDetectorOutput").asText()), raw, 5e-4, 0, "raw output");

        JsonNode expected = decode.get("tinyFaceDetector").get("detections");
        List<Detection> detections = tiny.detect(image, 0.5);
        assertEquals(expected.size(), detections.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).get("score").asDouble(), detections.get(i).score(), SsdMobileNetV1Test.SCORE);
            SsdMobileNetV1Test.assertBox(expected.get(i).get("box"), detections.get(i).box(), SsdMobileNetV1Test.PIXELS, "detection " + i);
        }
    }
}
