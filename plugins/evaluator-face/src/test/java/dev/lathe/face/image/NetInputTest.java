package dev.lathe.face.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.face.Fixtures;
import org.junit.jupiter.api.Test;

/** Pad-to-square and resize, against the network inputs face-api computed. */
class NetInputTest {

    @Test
    void recognitionInputOfTheTracedCrop() {
        assertResized("crops/jpeg-js/s1f0_recognition_input.png", 150, "netinput/s1f0_recognition_input_150x150x3.f32");
    }

    @Test
    void landmarkInputOfTheTracedCrop() {
        assertResized("crops/jpeg-js/s1f0_landmark_input.png", 112, "netinput/s1f0_landmark_input_112x112x3.f32");
    }

    private static void assertResized(String png, int size, String expectedFile) {
        RgbImage crop = Fixtures.image(png);
        float[] actual = NetInput.squareResized(crop, new IntBox(0, 0, crop.width(), crop.height()), true, size);
        double difference = Fixtures.maxAbsDifference(Fixtures.f32(expectedFile), actual);
        assertTrue(difference < 1e-3, png + ": max difference " + difference);
    }

    @Test
    void ssdInputProbesOfSample1() {
        RgbImage image = Fixtures.image("images/sample1.jpg");
        float[] input = NetInput.squareResized(image, new IntBox(0, 0, image.width(), image.height()), false, 512);
        var probes = Fixtures.json("traces.json").get("ssdMobilenetv1").get("inputProbes512");
        assertTrue(probes.size() > 0);
        probes.forEach(probe -> {
            int y = probe.get("y").asInt();
            int x = probe.get("x").asInt();
            float[] expected = Fixtures.floats(probe.get("rgb"));
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[c], input[(y * 512 + x) * 3 + c], 1e-3, "probe " + probe);
            }
        });
    }

    @Test
    void centeredPaddingPutsTheRoundedHalfAfter() {
        // 1 wide, 4 high: d = 3, round(1.5) = 2 columns after, 1 before
        RgbImage column = new RgbImage(1, 4, new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
        float[] out = NetInput.squareResized(column, new IntBox(0, 0, 1, 4), true, 4);
        float[] firstRow = {out[0], out[3], out[6], out[9]};
        assertArrayEquals(new float[] {0, 9, 0, 0}, firstRow);
        float[] notCentered = NetInput.squareResized(column, new IntBox(0, 0, 1, 4), false, 4);
        assertArrayEquals(new float[] {9, 0, 0, 0}, new float[] {notCentered[0], notCentered[3], notCentered[6], notCentered[9]});
    }
}
