package dev.lathe.face.nets;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.face.Fixtures;
import dev.lathe.face.image.IntBox;
import dev.lathe.face.image.NetInput;
import dev.lathe.face.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recognition net on the exact crops face-api fed it. */
class FaceRecognitionNetTest {

    @Test
    void layerByLayerOnTheTracedCrop() {
        JsonNode trace = Fixtures.json("traces.json").get("recognition");
        float[] input = Fixtures.f32(trace.get("inputTensorFile").asText());
        Trace recorded = new Trace();
        FaceRecognitionNet net = Fixtures.networks().faceRecognitionNet();
        net.forward(FaceRecognitionNet.batch(List.of(input)), recorded);
        // layers[0] is the input (NetInputTest), layers[1] the normalized input
        recorded.assertMatches(trace.get("layers"), 2, 1e-5);
    }

    @Test
    void descriptorsOfEveryStoredCrop() {
        List<float[]> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int n = 1; n <= 4; n++) {
            for (JsonNode face : Fixtures.json("samples/sample" + n + ".json").get("decodes").get("imageio").get("faces")) {
                RgbImage crop = Fixtures.image(face.get("recognitionInputPng").asText());
                inputs.add(NetInput.squareResized(crop, new IntBox(0, 0, crop.width(), crop.height()), true, FaceRecognitionNet.INPUT_SIZE));
                expected.add(Fixtures.floats(face.get("descriptor")));
                ids.add(face.get("id").asText());
            }
        }
        float[][] actual = Fixtures.networks().faceRecognitionNet().descriptors(inputs);
        for (int i = 0; i < ids.size(); i++) {
            double difference = Fixtures.maxAbsDifference(expected.get(i), actual[i]);
            assertTrue(difference < 1e-4, ids.get(i) + ": descriptor differs by " + difference);
        }
    }
}
