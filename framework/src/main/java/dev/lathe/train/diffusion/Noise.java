package dev.lathe.train.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.random.RandomGenerator;

/**
 * Standard-normal noise drawn from a Java {@link RandomGenerator}, so that a seeded run draws the
 * same noise whatever thread or device it runs on (libtorch's global generator is shared by
 * everything in the process).
 */
public final class Noise {

    private Noise() {
    }

    /** An array of {@code shape} filled with N(0, 1) draws, in row-major order, as float32. */
    public static NDArray standardNormal(NDManager manager, Shape shape, RandomGenerator random) {
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return manager.create(values, shape);
    }
}
