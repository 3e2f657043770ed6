package dev.lathe.train.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lathe.runtime.TensorRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * kohya's {@code pyramid_noise_like} has no fixture; these tests pin down its defining properties
 * against a plain per-pixel re-computation: which levels are drawn at which size, that each is
 * bilinearly upsampled (align_corners=False) and weighted by discount^i, the stop at one pixel,
 * and the final normalization by the unbiased standard deviation.
 */
class PyramidNoiseTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = TensorRuntime.newManager(Device.cpu());
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** Upsampling [a, b] to 4 gives [a, 3a/4 + b/4, a/4 + 3b/4, b], as torch's bilinear does. */
    @Test
    void interpolationMatrixIsTorchsAlignCornersFalse() {
        assertArrayEquals(new float[] {1, 0, 0.75f, 0.25f, 0.25f, 0.75f, 0, 1}, BilinearUpsampling.matrix(2, 4));
        assertArrayEquals(new float[] {1, 1, 1}, BilinearUpsampling.matrix(1, 3), "one pixel spreads everywhere");
        float[] identity = BilinearUpsampling.matrix(3, 3);
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, identity);
    }

    @Test
    void matchesAPerPixelReimplementation() {
        int b = 2;
        int c = 4;
        int h = 16;
        int w = 12;
        float[] input = gaussians(new SplittableRandom(1), b * c * h * w);
        PyramidNoise pyramid = new PyramidNoise(6, 0.4);

        NDArray actual = pyramid.apply(manager.create(input, new Shape(b, c, h, w)), new SplittableRandom(42));

        // The same draws, replayed: per level one shrink factor, then the level's Gaussians.
        SplittableRandom replay = new SplittableRandom(42);
        double[] sum = new double[input.length];
        for (int i = 0; i < input.length; i++) {
            sum[i] = input[i];
        }
        List<int[]> sizes = new ArrayList<>();
        for (int level = 0; level < 6; level++) {
            double r = replay.nextDouble() * 2 + 2;
            int hn = Math.max(1, (int) (h / Math.pow(r, level)));
            int wn = Math.max(1, (int) (w / Math.pow(r, level)));
            sizes.add(new int[] {hn, wn});
            float[] coarse = gaussians(replay, b * c * hn * wn);
            double weight = Math.pow(0.4, level);
            for (int plane = 0; plane < b * c; plane++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        sum[(plane * h + y) * w + x] += weight * bilinear(coarse, plane, hn, wn, y, x, h, w);
                    }
                }
            }
            if (hn == 1 || wn == 1) {
                break;
            }
        }
        double std = unbiasedStd(sum);
        float[] values = actual.toFloatArray();
        for (int i = 0; i < sum.length; i++) {
            assertEquals(sum[i] / std, values[i], 1e-5, "element " + i);
        }
        assertEquals(new Shape(b, c, h, w), actual.getShape());
        assertEquals(1.0, unbiasedStd(toDoubles(values)), 1e-5, "unit standard deviation");
        assertTrue(sizes.get(0)[0] == h && sizes.get(0)[1] == w, "level 0 is full resolution");
    }

    /** With the shrink factor fixed at 2, 16x16 noise gets levels 16, 8, 4, 2, 1 and then stops. */
    @Test
    void stopsAfterTheOnePixelLevel() {
        RecordingRandom random = new RecordingRandom(0.0); // r = 0 * 2 + 2
        new PyramidNoise(10, 0.5).apply(manager.zeros(new Shape(1, 1, 16, 16)), random);
        assertEquals(List.of(256, 64, 16, 4, 1), random.levelSizes());

        RecordingRandom shortRun = new RecordingRandom(0.0);
        new PyramidNoise(2, 0.5).apply(manager.zeros(new Shape(1, 1, 16, 16)), shortRun);
        assertEquals(List.of(256, 64), shortRun.levelSizes(), "iterations bound the levels");
    }

    /** discount 0 leaves only level 0 (weight discount^0 = 1): the input plus one fresh full-size draw. */
    @Test
    void discountWeightsTheLevels() {
        float[] input = gaussians(new SplittableRandom(3), 64);
        NDArray out = new PyramidNoise(4, 0.0).apply(manager.create(input, new Shape(1, 1, 8, 8)),
                new SplittableRandom(9));
        SplittableRandom replay = new SplittableRandom(9);
        replay.nextDouble();
        float[] level0 = gaussians(replay, 64);
        double[] sum = new double[64];
        for (int i = 0; i < 64; i++) {
            sum[i] = input[i] + level0[i];
        }
        double std = unbiasedStd(sum);
        float[] values = out.toFloatArray();
        for (int i = 0; i < 64; i++) {
            assertEquals(sum[i] / std, values[i], 1e-5);
        }
    }

    @Test
    void offLeavesTheNoiseAlone() {
        NDArray noise = manager.ones(new Shape(1, 4, 8, 8));
        assertTrue(new PyramidNoise(0, 0.3).apply(noise, new SplittableRandom(1)) == noise);
    }

    /** torch's bilinear (align_corners=False) at output pixel (y, x), straight from its definition. */
    private static double bilinear(float[] in, int plane, int hn, int wn, int y, int x, int h, int w) {
        double sy = Math.max(0, (y + 0.5) * hn / h - 0.5);
        double sx = Math.max(0, (x + 0.5) * wn / w - 0.5);
        int y0 = (int) sy;
        int x0 = (int) sx;
        int y1 = y0 < hn - 1 ? y0 + 1 : y0;
        int x1 = x0 < wn - 1 ? x0 + 1 : x0;
        double ly = sy - y0;
        double lx = sx - x0;
        int base = plane * hn * wn;
        return (1 - ly) * ((1 - lx) * in[base + y0 * wn + x0] + lx * in[base + y0 * wn + x1])
                + ly * ((1 - lx) * in[base + y1 * wn + x0] + lx * in[base + y1 * wn + x1]);
    }

    private static float[] gaussians(RandomGenerator random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }

    private static double unbiasedStd(double[] values) {
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= values.length;
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return Math.sqrt(squares / (values.length - 1));
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** Returns a fixed uniform draw and counts the Gaussians drawn after each one, i.e. per level. */
    private static final class RecordingRandom implements RandomGenerator {
        private final double uniform;
        private final SplittableRandom gaussians = new SplittableRandom(0);
        private final List<Integer> levelSizes = new ArrayList<>();

        RecordingRandom(double uniform) {
            this.uniform = uniform;
        }

        List<Integer> levelSizes() {
            return levelSizes;
        }

        @Override
        public double nextDouble() {
            levelSizes.add(0);
            return uniform;
        }

        @Override
        public double nextGaussian() {
            levelSizes.set(levelSizes.size() - 1, levelSizes.get(levelSizes.size() - 1) + 1);
            return gaussians.nextGaussian();
        }

        @Override
        public long nextLong() {
            return gaussians.nextLong();
        }
    }
}
