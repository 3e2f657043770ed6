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
        // Source pixel (row, col) of the padded square is image pixel (originY + row, originX + col)
        // when inside the region, else zero padding.
        Sampler sampler = new Sampler(image, region, region.y() - padTop, region.x() - padLeft);

        float[] out = new float[size * size * 3];
        if (side == size) {
            for (int r = 0; r < size; r++) {
                for (int c = 0; c < size; c++) {
                    for (int ch = 0; ch < 3; ch++) {
                        out[(r * size + c) * 3 + ch] = sampler.value(r, c, ch);
                    }
                }
            }
            return out;
        }
        double ratio = (double) side / size;
        int[] c0 = new int[size];
        int[] c1 = new int[size];
        float[] fc = new float[size];
        for (int c = 0; c < size; c++) {
            double src = c * ratio;
            c0[c] = (int) Math.floor(src);
            c1[c] = Math.min(side - 1, (int) Math.ceil(src));
            fc[c] = (float) (src - c0[c]);
        }
        for (int r = 0; r < size; r++) {
            double src = r * ratio;
            int r0 = (int) Math.floor(src);
            int r1 = Math.min(side - 1, (int) Math.ceil(src));
            float fr = (float) (src - r0);
            for (int c = 0; c < size; c++) {
                for (int ch = 0; ch < 3; ch++) {
                    float tl = sampler.value(r0, c0[c], ch);
                    float tr = sampler.value(r0, c1[c], ch);
                    float bl = sampler.value(r1, c0[c], ch);
                    float br = sampler.value(r1, c1[c], ch);
                    float top = tl + (tr - tl) * fc[c];
                    float bottom = bl + (br - bl) * fc[c];
                    out[(r * size + c) * 3 + ch] = top + (bottom - top) * fr;
                }
            }
        }
        return out;
    }

    /** Reads the padded square: region pixels where they are, zero elsewhere. */
    private record Sampler(RgbImage image, IntBox region, int originY, int originX) {
        float value(int row, int col, int channel) {
            int y = originY + row;
            int x = originX + col;
            if (y < region.y() || y >= region.y() + region.height() || x < region.x() || x >= region.x() + region.width()) {
                return 0f;
            }
            return image.value(x, y, channel);
        }
    }
}
