package dev.lathe.face.nets;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adds a per-channel bias to a {@code [pixels, channels]} matrix and applies an activation, in
 * place and in one pass over the memory: as two ND4J ops (broadcast add, then the activation)
 * it read and wrote every convolution output twice, which cost as much as a fifth of an SSD
 * pass.
 */
final class BiasActivation {

    /** Rows of the matrix handled per bulk copy. */
    private static final int CHUNK_FLOATS = 1 << 14;

    private BiasActivation() {
    }

    /**
     * @param matrix a contiguous c-order {@code [pixels, channels]} array, changed in place
     * @param bias   {@code [channels]}, or null for none
     */
    static void apply(INDArray matrix, INDArray bias, Activation activation) {
        int channels = (int) matrix.size(1);
        int pixels = (int) matrix.size(0);
        int rowsPerChunk = Math.max(1, CHUNK_FLOATS / channels);
        float[] tiledBias = new float[rowsPerChunk * channels];
        float[] b = bias == null ? new float[channels] : Layers.toFloats(bias);
        for (int i = 0; i < tiledBias.length; i += channels) {
            System.arraycopy(b, 0, tiledBias, i, channels);
        }
        FloatBuffer data = matrix.data().asNioFloat();
        int chunks = (pixels + rowsPerChunk - 1) / rowsPerChunk;
        RowTasks.run(chunks, (from, to) -> {
            float[] values = new float[rowsPerChunk * channels];
            for (int chunk = from; chunk < to; chunk++) {
                int start = chunk * rowsPerChunk * channels;
                int length = Math.min(rowsPerChunk, pixels - chunk * rowsPerChunk) * channels;
                data.get(start, values, 0, length);
                activation.addBias(values, tiledBias, 0, length);
                data.put(start, values, 0, length);
            }
        });
    }
}
