package dev.lathe.dataset;

/**
 * The two resize filters kohya-ss uses, reimplemented to give the same 8-bit results
 * ({@code library/utils.py}, {@code resize_image}): when the image shrinks (or keeps its size)
 * in both directions, OpenCV's {@code INTER_AREA}; otherwise Pillow's {@code LANCZOS}.
 */
public final class Resampling {

    private Resampling() {
    }

    /** kohya's {@code resize_image} with its default interpolation. */
    public static RgbImage resizeLikeKohya(RgbImage image, int width, int height) {
        if (image.width() == width && image.height() == height) {
            return image;
        }
        if (image.width() >= width && image.height() >= height) {
            return areaOpenCv(image, width, height);
        }
        return lanczosPillow(image, width, height);
    }

    // ---------------------------------------------------------------- Pillow LANCZOS

    /** Pillow's fixed-point bits for 8-bit resampling: 32 − 8 − 2. */
    private static final int PRECISION_BITS = 22;

    /**
     * Pillow's {@code Image.resize(size, LANCZOS)} for an RGB image (libImaging/Resample.c):
     * separable, a horizontal pass into an 8-bit intermediate, then a vertical pass; Lanczos-3
     * weights normalized per output pixel and converted to 22-bit fixed point; results rounded
     * and clipped to 0–255.
     */
    public static RgbImage lanczosPillow(RgbImage image, int width, int height) {
        Coefficients vertical = Coefficients.lanczos(image.height(), height);
        int firstRow = vertical.bounds[0];
        int lastRow = vertical.bounds[(height - 1) * 2] + vertical.bounds[(height - 1) * 2 + 1];
        RgbImage source = image;
        int rowOffset = 0;
        if (width != image.width()) {
            Coefficients horizontal = Coefficients.lanczos(image.width(), width);
            source = horizontalPass(image, horizontal, width, firstRow, lastRow - firstRow);
            rowOffset = firstRow;
        }
        if (height == image.height()) {
            return source;
        }
        return verticalPass(source, vertical, height, rowOffset);
    }

    private static RgbImage horizontalPass(RgbImage in, Coefficients k, int outWidth, int firstRow, int rows) {
        byte[] src = in.rgb();
        byte[] out = new byte[outWidth * rows * 3];
        for (int y = 0; y < rows; y++) {
            int rowBase = (y + firstRow) * in.width() * 3;
            for (int x = 0; x < outWidth; x++) {
                int min = k.bounds[x * 2];
                int count = k.bounds[x * 2 + 1];
                int kBase = x * k.size;
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int i = 0; i < count; i++) {
                    int weight = k.fixed[kBase + i];
                    int p = rowBase + (min + i) * 3;
                    s0 += (src[p] & 0xFF) * weight;
                    s1 += (src[p + 1] & 0xFF) * weight;
                    s2 += (src[p + 2] & 0xFF) * weight;
                }
                int o = (y * outWidth + x) * 3;
                out[o] = clip8(s0);
                out[o + 1] = clip8(s1);
                out[o + 2] = clip8(s2);
            }
        }
        return new RgbImage(outWidth, rows, out);
    }

    private static RgbImage verticalPass(RgbImage in, Coefficients k, int outHeight, int rowOffset) {
        byte[] src = in.rgb();
        int w = in.width();
        byte[] out = new byte[w * outHeight * 3];
        for (int y = 0; y < outHeight; y++) {
            int min = k.bounds[y * 2] - rowOffset;
            int count = k.bounds[y * 2 + 1];
            int kBase = y * k.size;
            for (int x = 0; x < w; x++) {
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int i = 0; i < count; i++) {
                    int weight = k.fixed[kBase + i];
                    int p = ((min + i) * w + x) * 3;
                    s0 += (src[p] & 0xFF) * weight;
                    s1 += (src[p + 1] & 0xFF) * weight;
                    s2 += (src[p + 2] & 0xFF) * weight;
                }
                int o = (y * w + x) * 3;
                out[o] = clip8(s0);
                out[o + 1] = clip8(s1);
                out[o + 2] = clip8(s2);
            }
        }
        return new RgbImage(w, outHeight, out);
    }

    private static byte clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** Pillow's {@code precompute_coeffs} and {@code normalize_coeffs_8bpc} for one direction. */
    private static final class Coefficients {
        final int size;
        final int[] bounds;
        final int[] fixed;

        private Coefficients(int size, int[] bounds, int[] fixed) {
            this.size = size;
            this.bounds = bounds;
            this.fixed = fixed;
        }

        static Coefficients lanczos(int inSize, int outSize) {
            double support = 3.0;
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            support *= filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[outSize * 2];
            int[] fixed = new int[outSize * ksize];
            double[] weights = new double[ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                double total = 0;
                for (int x = 0; x < xmax; x++) {
                    double w = lanczos3((x + xmin - center + 0.5) * ss);
                    weights[x] = w;
                    total += w;
                }
                for (int x = 0; x < ksize; x++) {
                    double w = x < xmax ? (total != 0 ? weights[x] / total : weights[x]) : 0;
                    double scaled = w * (1 << PRECISION_BITS);
                    fixed[xx * ksize + x] = (int) (w < 0 ? -0.5 + scaled : 0.5 + scaled);
                }
                bounds[xx * 2] = xmin;
                bounds[xx * 2 + 1] = xmax;
            }
            return new Coefficients(ksize, bounds, fixed);
        }

        private static double lanczos3(double x) {
            return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
        }

        private static double sinc(double x) {
            if (x == 0.0) {
                return 1.0;
            }
            x = x * Math.PI;
            return Math.sin(x) / x;
        }
    }

    // ---------------------------------------------------------------- OpenCV INTER_AREA

    /**
     * OpenCV's {@code cv2.resize(image, (width, height), interpolation=INTER_AREA)} for an 8-bit
     * 3-channel image that does not grow in either direction (modules/imgproc/src/resize.cpp):
     * integer factors average whole blocks ({@code resizeAreaFast}); other factors weight each
     * source pixel by the part of it a destination pixel covers, accumulated in float
     * ({@code resizeArea}), results rounded half to even.
     */
    public static RgbImage areaOpenCv(RgbImage image, int width, int height) {
        if (width > image.width() || height > image.height()) {
            throw new IllegalArgumentException("INTER_AREA here only shrinks");
        }
        double invScaleX = (double) width / image.width();
        double invScaleY = (double) height / image.height();
        double scaleX = 1.0 / invScaleX;
        double scaleY = 1.0 / invScaleY;
        int iscaleX = (int) Math.rint(scaleX);
        int iscaleY = (int) Math.rint(scaleY);
        boolean integral = Math.abs(scaleX - iscaleX) < Math.ulp(1.0) && Math.abs(scaleY - iscaleY) < Math.ulp(1.0);
        return integral ? areaFast(image, width, height, iscaleX, iscaleY) : areaGeneral(image, width, height,
                scaleX, scaleY);
    }

    private static RgbImage areaFast(RgbImage in, int width, int height, int sx, int sy) {
        byte[] src = in.rgb();
        byte[] out = new byte[width * height * 3];
        int area = sx * sy;
        float scale = 1f / area;
        boolean twoByTwo = sx == 2 && sy == 2;
        for (int dy = 0; dy < height; dy++) {
            for (int dx = 0; dx < width; dx++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 0;
                    for (int yy = 0; yy < sy; yy++) {
                        int row = (dy * sy + yy) * in.width();
                        for (int xx = 0; xx < sx; xx++) {
                            sum += src[(row + dx * sx + xx) * 3 + c] & 0xFF;
                        }
                    }
                    // 2x2 has its own exact path in OpenCV: (sum + 2) >> 2; others scale in float.
                    int v = twoByTwo ? (sum + 2) >> 2 : saturate(sum * scale);
                    out[(dy * width + dx) * 3 + c] = (byte) v;
                }
            }
        }
        return new RgbImage(width, height, out);
    }

    private static RgbImage areaGeneral(RgbImage in, int width, int height, double scaleX, double scaleY) {
        AreaTable xtab = AreaTable.compute(in.width(), width, 3, scaleX);
        AreaTable ytab = AreaTable.compute(in.height(), height, 1, scaleY);
        byte[] src = in.rgb();
        byte[] out = new byte[width * height * 3];
        int rowWidth = width * 3;
        float[] buf = new float[rowWidth];
        float[] sum = new float[rowWidth];
        int prevDy = ytab.di[0];
        for (int j = 0; j < ytab.count; j++) {
            float beta = ytab.alpha[j];
            int dy = ytab.di[j];
            int rowBase = ytab.si[j] * in.width() * 3;
            java.util.Arrays.fill(buf, 0f);
            for (int k = 0; k < xtab.count; k++) {
                int sxn = rowBase + xtab.si[k];
                int dxn = xtab.di[k];
                float alpha = xtab.alpha[k];
                buf[dxn] = buf[dxn] + (src[sxn] & 0xFF) * alpha;
                buf[dxn + 1] = buf[dxn + 1] + (src[sxn + 1] & 0xFF) * alpha;
                buf[dxn + 2] = buf[dxn + 2] + (src[sxn + 2] & 0xFF) * alpha;
            }
            if (dy != prevDy) {
                store(sum, out, prevDy * rowWidth);
                for (int dx = 0; dx < rowWidth; dx++) {
                    sum[dx] = beta * buf[dx];
                }
                prevDy = dy;
            } else {
                for (int dx = 0; dx < rowWidth; dx++) {
                    sum[dx] += beta * buf[dx];
                }
            }
        }
        store(sum, out, prevDy * rowWidth);
        return new RgbImage(width, height, out);
    }

    private static void store(float[] sum, byte[] out, int offset) {
        for (int dx = 0; dx < sum.length; dx++) {
            out[offset + dx] = (byte) saturate(sum[dx]);
        }
    }

    /** OpenCV's {@code saturate_cast<uchar>(float)}: round half to even, clip to 0–255. */
    private static int saturate(float v) {
        double r = Math.rint(v);
        return r < 0 ? 0 : r > 255 ? 255 : (int) r;
    }

    /** OpenCV's {@code computeResizeAreaTab}: (destination, source, weight) triples in order. */
    private static final class AreaTable {
        final int[] di;
        final int[] si;
        final float[] alpha;
        final int count;

        private AreaTable(int[] di, int[] si, float[] alpha, int count) {
            this.di = di;
            this.si = si;
            this.alpha = alpha;
            this.count = count;
        }

        static AreaTable compute(int ssize, int dsize, int cn, double scale) {
            int[] di = new int[ssize * 2];
            int[] si = new int[ssize * 2];
            float[] alpha = new float[ssize * 2];
            int k = 0;
            for (int dx = 0; dx < dsize; dx++) {
                double fsx1 = dx * scale;
                double fsx2 = fsx1 + scale;
                double cellWidth = Math.min(scale, ssize - fsx1);
                int sx1 = (int) Math.ceil(fsx1);
                int sx2 = (int) Math.floor(fsx2);
                sx2 = Math.min(sx2, ssize - 1);
                sx1 = Math.min(sx1, sx2);
                if (sx1 - fsx1 > 1e-3) {
                    di[k] = dx * cn;
                    si[k] = (sx1 - 1) * cn;
                    alpha[k++] = (float) ((sx1 - fsx1) / cellWidth);
                }
                for (int sx = sx1; sx < sx2; sx++) {
                    di[k] = dx * cn;
                    si[k] = sx * cn;
                    alpha[k++] = (float) (1.0 / cellWidth);
                }
                if (fsx2 - sx2 > 1e-3) {
                    di[k] = dx * cn;
                    si[k] = sx2 * cn;
                    alpha[k++] = (float) (Math.min(Math.min(fsx2 - sx2, 1.0), cellWidth) / cellWidth);
                }
            }
            return new AreaTable(di, si, alpha, k);
        }
    }
}
