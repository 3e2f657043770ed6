package dev.lathe.image;

/** A mutable RGB drawing surface for this package's composites. */
final class Canvas {

    private final int width;
    private final int height;
    private final byte[] pixels;

    Canvas(int width, int height, int background) {
        this.width = width;
        this.height = height;
        this.pixels = RgbImage.filled(width, height, background).raw().clone();
    }

    /** Copies {@code image} with its top-left corner at ({@code x}, {@code y}); parts outside are cut. */
    void draw(RgbImage image, int x, int y) {
        byte[] source = image.raw();
        for (int row = 0; row < image.height(); row++) {
            int ty = y + row;
            if (ty < 0 || ty >= height) {
                continue;
            }
            int from = Math.max(0, -x);
            int to = Math.min(image.width(), width - x);
            if (to > from) {
                System.arraycopy(source, (row * image.width() + from) * 3, pixels, (ty * width + x + from) * 3,
                        (to - from) * 3);
            }
        }
    }

    /** Draws one line of text with its top-left corner at ({@code x}, {@code y}), each font pixel {@code scale}² image pixels. */
    void text(String line, int x, int y, int scale, int rgb) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            int left = x + i * BitmapFont.ADVANCE * scale;
            for (int gy = 0; gy < BitmapFont.GLYPH_HEIGHT; gy++) {
                for (int gx = 0; gx < BitmapFont.GLYPH_WIDTH; gx++) {
                    if (BitmapFont.pixel(c, gx, gy)) {
                        fill(left + gx * scale, y + gy * scale, scale, scale, rgb);
                    }
                }
            }
        }
    }

    void fill(int x, int y, int w, int h, int rgb) {
        for (int ty = Math.max(0, y); ty < Math.min(height, y + h); ty++) {
            for (int tx = Math.max(0, x); tx < Math.min(width, x + w); tx++) {
                int i = (ty * width + tx) * 3;
                pixels[i] = (byte) (rgb >>> 16);
                pixels[i + 1] = (byte) (rgb >>> 8);
                pixels[i + 2] = (byte) rgb;
            }
        }
    }

    RgbImage toImage() {
        return new RgbImage(width, height, pixels);
    }
}
