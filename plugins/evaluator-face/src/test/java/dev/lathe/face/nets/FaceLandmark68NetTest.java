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

/** The landmark net on the exact crops face-api fed it. */
class FaceLandmark68NetTest {

    @Test
    void layerByLayerOnTheTracedCrop() {
        JsonNode trace = Fixtures.json("traces.json").get("landmarks");
        float[] input = Fixtures.f32(trace.get("inputTensorFile").asText());
        Trace recorded = new Trace();
        Fixtures.networks().faceLandmark68Net().forward(FaceLandmark68Net.batch(List.of(input)), recorded);
        recorded.assertMatches(trace.get("layers"), 2, 1e-5);
    }

    @Test
    void rawOutputsOfEveryStoredCrop() {
        List<float[]> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int n = 1; n <= 4; n++) {
            for (JsonNode face : Fixtures.json("samples/sample" + n + ".json").get("decodes").get("imageio").get("faces")) {
                RgbImage crop = Fixtures.image(face.get("landmarkInputPng").asText());
                inputs.add(NetInput.squareResized(crop, new IntBox(0, 0, crop.width(), crop.height()), true, FaceLandmark68Net.INPUT_SIZE));
                expected.add(Fixtures.floats(face.get("landmarkNetRawOutput")));
                ids.add(face.get("id").asText());
            }
        }
        float[][] actual = Fixtures.networks().faceLandmark68Net().rawLandmarks(inputs);
        for (int i = 0; i < ids.size(); i++) {
            double difference = Fixtures.maxAbsDifference(expected.get(i), actual[i]);
            // raw outputs are fractions of 112 px: 1e-5 is 0.001 px
            assertTrue(difference < 1e-5, ids.get(i) + ": raw landmarks differ by " + difference);
        }
    }
}
