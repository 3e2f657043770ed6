package dev.lathe.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Reproducible noise from seeds, as AUTOMATIC1111 draws it with its "CPU" random-number source:
 * image {@code b} of a batch has its own {@link TorchCpuGenerator} seeded with {@code seeds[b]}
 * (A1111 uses seed, seed + 1, … for a batch); its starting noise is that generator's first
 * {@code randn} of the image's C×H×W values in row-major order, and every later draw (the
 * ancestral and SDE samplers' fresh noise) continues the same stream. The values are made in Java
 * as float32 and copied to the latent's device, so a seed gives the same noise on the CPU and on a
 * GPU, and the same starting latent as A1111 (CPU source) or ComfyUI for that seed.
 *
 * <p>What differs from those tools: A1111's default source is "GPU" (CUDA's Philox generator), which
 * this does not reproduce; and A1111 and ComfyUI feed the SDE samplers (DPM++ SDE, 2M SDE, 3M SDE)
 * from a Brownian tree, where this continues the sequential stream — so with those samplers, and
 * with A1111's GPU source, the same seed gives a different (equally valid) image. Euler a and the
 * deterministic samplers match.
 */
public final class SeededNoise implements NoiseSource {

    private final TorchCpuGenerator[] generators;

    /** One generator per batch image, seeded in order. */
    public SeededNoise(long... seeds) {
        if (seeds.length == 0) {
            throw new IllegalArgumentException("At least one seed is needed");
        }
        generators = new TorchCpuGenerator[seeds.length];
        for (int b = 0; b < seeds.length; b++) {
            generators[b] = new TorchCpuGenerator(seeds[b]);
        }
    }

    /**
     * The next draw for every image, stacked: a float32 array of {@code shape} on {@code manager}'s
     * device, whose first dimension is the batch (one image per seed). The first call gives the
     * starting noise.
     */
    public NDArray draw(NDManager manager, Shape shape) {
        if (shape.dimension() < 1 || shape.get(0) != generators.length) {
            throw new IllegalArgumentException("Noise of shape " + shape + " needs one seed per image along the first "
                    + "dimension, but there are " + generators.length + " seeds");
        }
        int perImage = Math.toIntExact(shape.size() / generators.length);
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.multiplyExact(Math.toIntExact(shape.size()), 4))
                .order(ByteOrder.nativeOrder());
        FloatBuffer floats = bytes.asFloatBuffer();
        float[] image = new float[perImage];
        for (TorchCpuGenerator generator : generators) {
            generator.randn(image);
            floats.put(image);
        }
        return manager.create(bytes, shape, DataType.FLOAT32);
    }

    /** The next draw shaped, typed and placed like {@code like}; the noise levels do not matter. */
    @Override
    public NDArray next(double sigma, double sigmaNext, NDArray like) {
        NDArray noise = draw(like.getManager(), like.getShape());
        if (like.getDataType() == DataType.FLOAT32) {
            return noise;
        }
        try (noise) {
            return noise.toType(like.getDataType(), false);
        }
    }
}
