package dev.lathe.train.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;

/**
 * Multi-resolution ("pyramid") noise, kohya {@code --multires_noise_iterations} and {@code
 * --multires_noise_discount} ({@code pyramid_noise_like}): fresh Gaussian noise at ever coarser
 * resolutions, upsampled and added with shrinking weights, so the noise has low-frequency content
 * that plain per-pixel noise lacks.
 *
 * <pre>
 * for level i = 0 .. iterations-1:
 *     r   = uniform in [2, 4)                          a new random shrink factor per level
 *     h_i = max(1, int(H / r^i)),  w_i = max(1, int(W / r^i))
 *     noise += bilinear_upsample(N(0, 1) of [B, C, h_i, w_i] to [H, W]) * discount^i
 *     stop after the first level that is 1 pixel high or wide
 * return noise / std(noise)                            one unbiased std over the whole batch
 * </pre>
 * Level 0 is full resolution (r^0 = 1): a second full-resolution draw is added to the input noise
 * before the coarser ones, as in kohya.
 *
 * @param iterations levels (kohya suggests 6–10), 0 = off
 * @param discount   weight ratio between levels (kohya default 0.3; the function's own default 0.4)
 */
public record PyramidNoise(int iterations, double discount) {

    public PyramidNoise {
        if (iterations < 0 || !(discount >= 0)) {
            throw new IllegalArgumentException("need iterations >= 0 and discount >= 0, got " + iterations + ", "
                    + discount);
        }
    }

    public boolean enabled() {
        return iterations > 0;
    }

    /**
     * {@code noise} (shape {@code [B, C, H, W]}, no gradient) with the pyramid added and rescaled
     * to unit standard deviation; {@code noise} itself when off. Per level, {@code random} gives
     * first the shrink factor ({@code nextDouble}), then the level's Gaussians in row-major order.
     */
    public NDArray apply(NDArray noise, RandomGenerator random) {
        if (!enabled()) {
            return noise;
        }
        Shape shape = noise.getShape();
        long batch = shape.get(0);
        long channels = shape.get(1);
        int height = (int) shape.get(2);
        int width = (int) shape.get(3);
        NDArray sum = noise;
        for (int level = 0; level < iterations; level++) {
            double shrink = Math.pow(random.nextDouble() * 2 + 2, level);
            int h = Math.max(1, (int) (height / shrink));
            int w = Math.max(1, (int) (width / shrink));
            NDArray coarse = Noise.standardNormal(noise.getManager(), new Shape(batch, channels, h, w), random);
            sum = sum.add(BilinearUpsampling.resize(coarse, height, width).mul(Math.pow(discount, level)));
            if (h == 1 || w == 1) {
                break;
            }
        }
        return sum.div(standardDeviation(sum));
    }

    /** The unbiased standard deviation over all elements, as {@code torch.std()}. */
    static double standardDeviation(NDArray x) {
        NDArray centered = x.sub(x.mean());
        double squares = centered.mul(centered).sum().getFloat();
        return Math.sqrt(squares / (x.size() - 1));
    }
}
