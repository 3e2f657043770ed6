package dev.lathe.dataset;

import java.util.Random;

/**
 * kohya-ss's {@code --color_aug} ({@code AugHelper.color_aug} in {@code library/train_util.py}),
 * which replaced an albumentations pipeline: with probability 0.33 the image changes, and then
 * with even odds either
 * <ul>
 * <li>its hue is shifted by a uniform −8…8 on OpenCV's 0–180 hue scale (up to ±16°): the 8-bit
 *     image goes through {@code cv2.cvtColor(..., COLOR_BGR2HSV)} — kohya passes its RGB array as
 *     BGR, so red and blue swap roles and the shift turns the other way round the color wheel —,
 *     the hue becomes {@code (h + shift) mod 180} truncated to an integer, and the image comes back
 *     through {@code COLOR_HSV2BGR}; or
 * <li>each 8-bit value {@code v} becomes {@code min(255, v^γ)} truncated, γ uniform in 0.95…1.05.
 *     (kohya raises the raw 0–255 values to the power, not values scaled to 0–1, so γ > 1
 *     brightens strongly and γ < 1 darkens: 255^0.95 ≈ 193. This is what kohya trains with.)
 * </ul>
 * The draws come from {@code random} in kohya's order: the 0.33 test, the choice, the parameter.
 */
public final class ColorAugmentation {

    private static final int HSV_SHIFT = 12;
    private static final int[] SDIV = new int[256];
    private static final int[] HDIV180 = new int[256];
    private static final int[][] SECTOR_DATA = {{1, 3, 0}, {1, 0, 2}, {3, 0, 1}, {0, 2, 1}, {0, 1, 3}, {2, 1, 0}};

    static {
        for (int i = 1; i < 256; i++) {
            SDIV[i] = (int) Math.rint((255 << HSV_SHIFT) / (1.0 * i));
            HDIV180[i] = (int) Math.rint((180 << HSV_SHIFT) / (6.0 * i));
        }
    }

    private ColorAugmentation() {
    }

    /** kohya's color augmentation of {@code image} with draws from {@code random}. */
    public static RgbImage apply(RgbImage image, Random random) {
        if (random.nextDouble() <= 0.33) {
            if (random.nextDouble() > 0.5) {
                double shift = uniform(random, -8, 8);
                if (shift < 0) {
                    shift = 180 + shift;
                }
                return shiftHue(image, shift);
            }
            return gamma(image, uniform(random, 0.95, 1.05));
        }
        return image;
    }

    /** Python's {@code random.uniform(a, b)}: {@code a + (b − a) × random()}. */
    private static double uniform(Random random, double a, double b) {
        return a + (b - a) * random.nextDouble();
    }

    /** The hue step with a given shift in [0, 180), channels treated as kohya's BGR view of RGB data. */
    public static RgbImage shiftHue(RgbImage image, double shift) {
        byte[] in = image.rgb();
        byte[] out = new byte[in.length];
        for (int p = 0; p < in.length; p += 3) {
            // cv2 reads channel 0 as blue: kohya's array is RGB, so "blue" is our red.
            int b = in[p] & 0xFF;
            int g = in[p + 1] & 0xFF;
            int r = in[p + 2] & 0xFF;
            int[] hsv = bgrToHsv(b, g, r);
            int h = (int) ((hsv[0] + shift) % 180);
            int[] bgr = hsvToBgr(h, hsv[1], hsv[2]);
            out[p] = (byte) bgr[0];
            out[p + 1] = (byte) bgr[1];
            out[p + 2] = (byte) bgr[2];
        }
        return new RgbImage(image.width(), image.height(), out);
    }

    /** The gamma step: {@code uint8(clip(v ** gamma, 0, 255))}. */
    public static RgbImage gamma(RgbImage image, double gamma) {
        int[] table = new int[256];
        for (int v = 0; v < 256; v++) {
            table[v] = (int) Math.min(255.0, Math.max(0.0, Math.pow(v, gamma)));
        }
        byte[] in = image.rgb();
        byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = (byte) table[in[i] & 0xFF];
        }
        return new RgbImage(image.width(), image.height(), out);
    }

    /** OpenCV's 8-bit {@code RGB2HSV_b} (hue range 180), in integer arithmetic. */
    static int[] bgrToHsv(int b, int g, int r) {
        int v = Math.max(b, Math.max(g, r));
        int vmin = Math.min(b, Math.min(g, r));
        int diff = v - vmin;
        int vr = v == r ? -1 : 0;
        int vg = v == g ? -1 : 0;
        int s = (diff * SDIV[v] + (1 << (HSV_SHIFT - 1))) >> HSV_SHIFT;
        int h = (vr & (g - b)) + (~vr & ((vg & (b - r + 2 * diff)) + (~vg & (r - g + 4 * diff))));
        h = (h * HDIV180[diff] + (1 << (HSV_SHIFT - 1))) >> HSV_SHIFT;
        h += h < 0 ? 180 : 0;
        return new int[] {Math.min(255, Math.max(0, h)), s, v};
    }

    /** OpenCV's 8-bit {@code HSV2RGB_b} (hue range 180): float conversion, rounded back. */
    static int[] hsvToBgr(int hByte, int sByte, int vByte) {
        float h = hByte;
        float s = sByte * (1.0f / 255.0f);
        float v = vByte * (1.0f / 255.0f);
        float b;
        float g;
        float r;
        if (s == 0) {
            b = g = r = v;
        } else {
            float hscale = 6.0f / 180;
            h *= hscale;
            h = h % 6f;
            int sector = (int) Math.floor(h);
            h -= sector;
            if (sector < 0 || sector >= 6) {
                sector = 0;
                h = 0f;
            }
            float[] tab = {v, v * (1f - s), v * (1f - s * h), v * (1f - s * (1f - h))};
            b = tab[SECTOR_DATA[sector][0]];
            g = tab[SECTOR_DATA[sector][1]];
            r = tab[SECTOR_DATA[sector][2]];
        }
        return new int[] {round8(b * 255f), round8(g * 255f), round8(r * 255f)};
    }

    private static int round8(float value) {
        double rounded = Math.rint(value);
        return rounded < 0 ? 0 : rounded > 255 ? 255 : (int) rounded;
    }
}
