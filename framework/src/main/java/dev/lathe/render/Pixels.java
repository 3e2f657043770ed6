package dev.lathe.render;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lathe.image.RgbImage;

/**
 * Decoded images to 8-bit RGB exactly as AUTOMATIC1111 converts them: in float32,
 * {@code clamp((x + 1) / 2, 0, 1)}, times 255, then truncated to an integer (NumPy's
 * {@code astype(uint8)}; kohya's sample images round instead, so they can be one level brighter).
 * NaN becomes 0. The VAE output is converted to float32 first, so a half-precision decode that
 * overflowed shows as clipped colours rather than a black image.
 */
public final class Pixels {

    private Pixels() {
    }

    /** The RGB image of a decoded image {@code [1, 3, H, W]} (or {@code [3, H, W]}) in about [-1, 1]. */
    public static RgbImage toRgb(NDArray decoded) {
        Shape shape = decoded.getShape();
        int dims = shape.dimension();
        if (!(dims == 4 && shape.get(0) == 1 || dims == 3) || shape.get(dims - 3) != 3) {
            throw new IllegalArgumentException("expected one decoded RGB image [1, 3, H, W], got " + shape);
        }
        int height = Math.toIntExact(shape.get(dims - 2));
        int width = Math.toIntExact(shape.get(dims - 1));
        float[] planes;
        if (decoded.getDataType() == DataType.FLOAT32) {
            planes = decoded.toFloatArray();
        } else {
            try (NDArray single = decoded.toType(DataType.FLOAT32, false)) {
                planes = single.toFloatArray();
            }
        }
        return toRgb(planes, width, height);
    }

    /** The same for channel planes (all red, then all green, then all blue) of {@code width × height} values. */
    public static RgbImage toRgb(float[] planes, int width, int height) {
        int area = width * height;
        if (planes.length != 3 * area) {
            throw new IllegalArgumentException("3 planes of " + width + "x" + height + " need " + 3 * area
                    + " values, got " + planes.length);
        }
        byte[] rgb = new byte[3 * area];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < area; i++) {
                rgb[3 * i + c] = (byte) level(planes[c * area + i]);
            }
        }
        return new RgbImage(width, height, rgb);
    }

    /** One value in [-1, 1] as an 8-bit level. */
    static int level(float x) {
        float v = (x + 1f) / 2f;
        if (!(v > 0f)) {
            return 0; // also NaN
        }
        if (v > 1f) {
            v = 1f;
        }
        return (int) (v * 255f);
    }
}
