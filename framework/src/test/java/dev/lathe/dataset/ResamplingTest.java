package dev.lathe.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Bit-exact against Pillow 9.4's LANCZOS and OpenCV 4.6's INTER_AREA (reference/make_references.py). */
class ResamplingTest {

    @ParameterizedTest
    @CsvSource({"53,41", "74,58", "45,20", "37,64"})
    void lanczosMatchesPillow(int w, int h) {
        RgbImage source = References.image("source_37x29.png");
        RgbImage expected = References.image("lanczos_37x29_to_" + w + "x" + h + ".png");
        assertEquals(0, References.maxDifference(expected, Resampling.lanczosPillow(source, w, h)));
    }

    @ParameterizedTest
    @CsvSource({"37x29,20,15", "37x29,30,29", "37x29,37,11", "37x29,13,7", "48x36,24,18", "48x36,16,12",
        "48x36,48,18", "48x36,35,27"})
    void areaMatchesOpenCv(String from, int w, int h) {
        RgbImage source = References.image("source_" + from + ".png");
        RgbImage expected = References.image("area_" + from + "_to_" + w + "x" + h + ".png");
        assertEquals(0, References.maxDifference(expected, Resampling.areaOpenCv(source, w, h)));
    }

    @Test
    void kohyaPicksTheFilterByDirection() {
        RgbImage source = References.image("source_37x29.png");
        assertSame(source, Resampling.resizeLikeKohya(source, 37, 29));
        // shrinking both ways (or keeping one side): OpenCV area
        assertEquals(0, References.maxDifference(References.image("area_37x29_to_30x29.png"),
                Resampling.resizeLikeKohya(source, 30, 29)));
        // growing in either direction: Pillow Lanczos
        assertEquals(0, References.maxDifference(References.image("lanczos_37x29_to_45x20.png"),
                Resampling.resizeLikeKohya(source, 45, 20)));
    }
}
