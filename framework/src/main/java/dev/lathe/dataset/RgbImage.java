package dev.lathe.dataset;

/**
 * An 8-bit RGB image, rows top to bottom, pixels interleaved {@code R, G, B} (as a numpy
 * {@code uint8} array of shape {@code [H, W, 3]} in kohya): what kohya's {@code load_image} returns.
 * Values are unsigned: read them with {@code & 0xFF}.
 */
public record RgbImage(int width, int height, byte[] rgb) {

    /** {@code (v / 255 − 0.5) / 0.5} in float32 for every 8-bit value. */
    private static final float[] NORMALIZED = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            NORMALIZED[v] = (v / 255f - 0.5f) / 0.5f;
        }
    }

    public RgbImage {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("RGB data of " + rgb.length + " bytes for " + width + "x" + height);
        }
    }

    /** Channel {@code c} (0 = red) of the pixel at column {@code x}, row {@code y}, as 0–255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /** The {@code w × h} region whose top-left corner is at column {@code left}, row {@code top}. */
    public RgbImage crop(int left, int top, int w, int h) {
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(rgb, ((top + y) * width + left) * 3, out, y * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** Mirrored left to right ({@code img[:, ::-1, :]}). */
    public RgbImage flipped() {
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int from = (y * width + x) * 3;
                int to = (y * width + (width - 1 - x)) * 3;
                out[to] = rgb[from];
                out[to + 1] = rgb[from + 1];
                out[to + 2] = rgb[from + 2];
            }
        }
        return new RgbImage(width, height, out);
    }

    /**
     * The image as a {@code [3, H, W]} float array in [-1, 1], as torchvision's {@code ToTensor()}
     * then {@code Normalize([0.5], [0.5])} compute it in float32: {@code (v / 255 − 0.5) / 0.5}.
     */
    public float[] toChwFloats() {
        float[] out = new float[rgb.length];
        int plane = width * height;
        for (int c = 0; c < 3; c++) {
            int base = c * plane;
            for (int i = 0, p = c; i < plane; i++, p += 3) {
                out[base + i] = NORMALIZED[rgb[p] & 0xFF];
            }
        }
        return out;
    }
}
