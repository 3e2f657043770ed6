package dev.lathe.train.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Per-sample values as arrays that broadcast over a batch. */
final class PerSample {

    private PerSample() {
    }

    /**
     * {@code values} (one per batch element) as an array of shape {@code [B, 1, ..., 1]} that
     * broadcasts against {@code like}, in {@code like}'s manager and data type.
     */
    static NDArray column(NDArray like, float[] values) {
        Shape shape = like.getShape();
        if (shape.dimension() == 0 || shape.get(0) != values.length) {
            throw new IllegalArgumentException("a batch of " + values.length + " values for an array of shape " + shape);
        }
        long[] dims = new long[shape.dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = values.length;
        NDArray column = like.getManager().create(values, new Shape(dims));
        return like.getDataType() == DataType.FLOAT32 ? column : column.toType(like.getDataType(), false);
    }

    /** A per-timestep quantity, such as a schedule's {@code sqrt(a_t)}. */
    interface OfTimestep {
        float at(int timestep);
    }

    /** {@code quantity(t)} for every timestep, checking that each lies in {@code [0, T)}. */
    static float[] values(long[] timesteps, int timestepCount, OfTimestep quantity) {
        float[] out = new float[timesteps.length];
        for (int i = 0; i < timesteps.length; i++) {
            long t = timesteps[i];
            if (t < 0 || t >= timestepCount) {
                throw new IllegalArgumentException("timestep " + t + " is outside 0.." + (timestepCount - 1));
            }
            out[i] = quantity.at((int) t);
        }
        return out;
    }
}
