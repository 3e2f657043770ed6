package dev.lathe.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.image.RgbImage;
import org.junit.jupiter.api.Test;

/** A1111's float → 8-bit conversion: clamp((x + 1) / 2), × 255 in float32, truncated. */
class PixelsTest {

    @Test
    void truncatesAsNumpysAstypeDoes() {
        assertEquals(0, Pixels.level(-1f));
        assertEquals(255, Pixels.level(1f));
        assertEquals(127, Pixels.level(0f), "0.5 * 255 = 127.5 truncates to 127 (kohya would round to 128)");
        assertEquals(0, Pixels.level(-3f));
        assertEquals(255, Pixels.level(7f));
        assertEquals(0, Pixels.level(Float.NaN));
        // the float32 product decides: (x + 1) / 2 * 255 just below an integer stays below it
        float x = Math.nextDown(2f * 200f / 255f - 1f);
        assertEquals((int) ((x + 1f) / 2f * 255f), Pixels.level(x));
    }

    @Test
    void interleavesThePlanes() {
        float[] planes = {-1f, 1f, /* green */ 1f, -1f, /* blue */ 0f, 0f};
        RgbImage image = Pixels.toRgb(planes, 2, 1);
        assertEquals(0x00ff7f, image.rgb(0, 0));
        assertEquals(0xff007f, image.rgb(1, 0));
    }
}
