package dev.lathe.face.image;

/**
 * How face-api turns pixels into a square network input: {@code padToSquare} then TensorFlow's
 * legacy {@code resizeBilinear} (no corner alignment, no half-pixel centres). The result is
 * H×W×3 floats in 0…255, not rounded; each network applies its own normalization afterwards.
 */
public final class NetInput {

    private NetInput() {
    }

    /**
     * Pads {@code region} of {@code image} to a square with zeros and resizes it to
     * {@code size x size}.
     *
     * @param centered false (detectors): all padding after the image, at the bottom or right;
     *                 true (landmark and recognition nets): with d the size difference,
     *                 {@code round(d/2)} (JavaScript rounding) rows or columns after and the rest
     *                 before
     * @return {@code size*size*3} floats, row-major, channels last
     */
    public static float[] squareResized(RgbImage image, IntBox region, boolean centered, int size) {
        int side = Math.max(region.width(), region.height());
        int difference = Math.abs(region.width() - region.height());
        int before = centered ? difference - (int) Math.floor(difference / 2.0 + 0.5) : 0;
        int padTop = region.height() < region.width() ? before : 0;
        int padLeft = region.width() < region.height() ? before : 0;

        // Per output column: the byte offsets in an image row of its two source pixels (-1: padding)
        // and the interpolation weight. The same source row/column for both (an exact position,
        // or no resize at all) gives the source value unchanged.
        double ratio = (double) side / size;
        int[] left = new int[size];
        int[] right = new int[size];
        float[] fc = new float[size];
        for (int c = 0; c < size; c++) {
            double src = c * ratio;
            int c0 = (int) Math.floor(src);
            left[c] = columnOffset(c0 - padLeft, region);
            right[c] = columnOffset(Math.min(side - 1, (int) Math.ceil(src)) - padLeft, region);
            fc[c] = (float) (src - c0);
        }
        byte[] rgb = image.bytes();
        float[] out = new float[size * size * 3];
        for (int r = 0; r < size; r++) {
            double src = r * ratio;
            int r0 = (int) Math.floor(src);
            int top = rowOffset(r0 - padTop, region, image.width());
            int bottom = rowOffset(Math.min(side - 1, (int) Math.ceil(src)) - padTop, region, image.width());
            float fr = (float) (src - r0);
            for (int c = 0; c < size; c++) {
                int o = (r * size + c) * 3;
                for (int ch = 0; ch < 3; ch++) {
                    float tl = value(rgb, top, left[c], ch);
                    float tr = value(rgb, top, right[c], ch);
                    float bl = value(rgb, bottom, left[c], ch);
                    float br = value(rgb, bottom, right[c], ch);
                    float upper = tl + (tr - tl) * fc[c];
                    float lower = bl + (br - bl) * fc[c];
                    out[o + ch] = upper + (lower - upper) * fr;
                }
            }
        }
        return out;
    }

    /** Byte offset of region column {@code x} within an image row, or -1 outside the region. */
    private static int columnOffset(int x, IntBox region) {
        return x < 0 || x >= region.width() ? -1 : (region.x() + x) * 3;
    }

    /** Byte offset of region row {@code y} in the image, or -1 outside the region. */
    private static int rowOffset(int y, IntBox region, int imageWidth) {
        return y < 0 || y >= region.height() ? -1 : (region.y() + y) * imageWidth * 3;
    }

    private static float value(byte[] rgb, int row, int column, int channel) {
        return row < 0 || column < 0 ? 0f : rgb[row + column + channel] & 0xff;
    }
}
