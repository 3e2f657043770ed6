package dev.lathe.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ColorAugmentationTest {

    private final RgbImage colors = References.image("colors_48x48.png");

    @ParameterizedTest
    @ValueSource(doubles = {5.25, -3.75, 7.9})
    void hueShiftMatchesKohyaWithOpenCv(double shift) {
        RgbImage expected = References.image("hue_" + shift + ".png");
        RgbImage actual = ColorAugmentation.shiftHue(colors, shift < 0 ? 180 + shift : shift);
        // OpenCV's vectorized HSV->BGR path truncates where its scalar path rounds, so an OpenCV
        // build differs from itself by one level depending on a pixel's position in its row.
        assertTrue(References.maxDifference(expected, actual) <= 1, "max difference "
                + References.maxDifference(expected, actual));
        assertNotEquals(0, References.differing(colors, actual), "the hue must change");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.96, 1.04})
    void gammaMatchesKohyaWithNumpy(double gamma) {
        assertEquals(0, References.maxDifference(References.image("gamma_" + gamma + ".png"),
                ColorAugmentation.gamma(colors, gamma)));
    }

    @Test
    void hsvRoundTripOfGraysAndPrimaries() {
        assertEquals(java.util.List.of(0, 0, 77), boxed(ColorAugmentation.bgrToHsv(77, 77, 77)));
        // pure blue (B=255): hue 240° / 2 = 120
        assertEquals(java.util.List.of(120, 255, 255), boxed(ColorAugmentation.bgrToHsv(255, 0, 0)));
        assertEquals(java.util.List.of(255, 0, 0), boxed(ColorAugmentation.hsvToBgr(120, 255, 255)));
    }

    @Test
    void deterministicForASeedAndAppliedAboutOneThirdOfTheTime() {
        RgbImage a = ColorAugmentation.apply(colors, new Random(7));
        RgbImage b = ColorAugmentation.apply(colors, new Random(7));
        assertEquals(0, References.differing(a, b));
        int changed = 0;
        for (int seed = 0; seed < 300; seed++) {
            if (ColorAugmentation.apply(colors, Seeds.sample(1, 1, seed, 0)) != colors) {
                changed++;
            }
        }
        // kohya: random() <= 0.33 -> 99 expected of 300; binomial sd ≈ 8.
        assertTrue(changed > 70 && changed < 130, "changed " + changed);
    }

    private static java.util.List<Integer> boxed(int[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}
