package dev.lathe.image;

import java.util.Arrays;

/**
 * An 8-bit RGB image: {@code width × height} pixels, row by row from the top, each pixel three
 * bytes (red, green, blue). Immutable: the constructor and {@link #pixels()} copy.
 */
public final class RgbImage {

    private final int width;
    private final int height;
    private final byte[] pixels;

    /**
     * @param pixels {@code width * height * 3} bytes, row-major, RGB interleaved
     */
    public RgbImage(int width, int height, byte[] pixels) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("an image needs a positive size, got " + width + "x" + height);
        }
        if (pixels.length != (long) width * height * 3) {
            throw new IllegalArgumentException(width + "x" + height + " RGB needs " + (long) width * height * 3
                    + " bytes, got " + pixels.length);
        }
        this.width = width;
        this.height = height;
        this.pixels = pixels.clone();
    }

    /** An image of one colour ({@code 0xRRGGBB}). */
    public static RgbImage filled(int width, int height, int rgb) {
        byte[] pixels = new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)];
        for (int i = 0; i < pixels.length; i += 3) {
            pixels[i] = (byte) (rgb >>> 16);
            pixels[i + 1] = (byte) (rgb >>> 8);
            pixels[i + 2] = (byte) rgb;
        }
        return new RgbImage(width, height, pixels);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** A copy of the pixel bytes. */
    public byte[] pixels() {
        return pixels.clone();
    }

    /** The pixel at ({@code x}, {@code y}) as {@code 0xRRGGBB}. */
    public int rgb(int x, int y) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            throw new IndexOutOfBoundsException("(" + x + ", " + y + ") is outside " + width + "x" + height);
        }
        int i = (y * width + x) * 3;
        return (pixels[i] & 0xff) << 16 | (pixels[i + 1] & 0xff) << 8 | (pixels[i + 2] & 0xff);
    }

    /** Copies row {@code y} (width × 3 bytes) into {@code row} at {@code offset}. */
    void copyRow(int y, byte[] row, int offset) {
        System.arraycopy(pixels, y * width * 3, row, offset, width * 3);
    }

    /** The raw array, for this package's writers (never handed out). */
    byte[] raw() {
        return pixels;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && width == other.width && height == other.height
                && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
