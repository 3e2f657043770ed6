package dev.lathe.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RgbImageTest {

    /** 2x2: red-ish, green-ish / blue-ish, white. */
    private final RgbImage image = new RgbImage(2, 1 + 1, new byte[] {(byte) 255, 0, 0, 0, (byte) 128, 0, 0, 0,
        (byte) 200, (byte) 255, (byte) 255, (byte) 255});

    @Test
    void tensorLayoutAndNormalization() {
        // torchvision ToTensor then Normalize(0.5, 0.5) in float32: (v / 255 - 0.5) / 0.5, channels first.
        float half = (128 / 255f - 0.5f) / 0.5f;
        float b200 = (200 / 255f - 0.5f) / 0.5f;
        assertArrayEquals(new float[] {1, -1, -1, 1, -1, half, -1, 1, -1, -1, b200, 1}, image.toChwFloats());
    }

    @Test
    void cropAndFlip() {
        RgbImage flipped = image.flipped();
        assertEquals(0, flipped.get(0, 0, 0));
        assertEquals(128, flipped.get(0, 0, 1));
        assertEquals(255, flipped.get(1, 0, 0));
        assertEquals(255, flipped.get(0, 1, 2));
        RgbImage corner = image.crop(1, 1, 1, 1);
        assertArrayEquals(new byte[] {(byte) 255, (byte) 255, (byte) 255}, corner.rgb());
    }
}
