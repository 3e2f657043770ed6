package dev.lathe.train.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Bilinear resizing of the last two axes with PyTorch's {@code align_corners=False} convention
 * ({@code nn.Upsample(mode="bilinear")}), as two matrix products: bilinear interpolation is linear
 * interpolation along H, then along W, so {@code out = Mh @ x @ Mw^T} with one interpolation
 * matrix per axis.
 */
final class BilinearUpsampling {

    private BilinearUpsampling() {
    }

    /** {@code x} of shape {@code [..., h, w]} resized to {@code [..., height, width]}. */
    static NDArray resize(NDArray x, int height, int width) {
        Shape shape = x.getShape();
        int h = (int) shape.get(shape.dimension() - 2);
        int w = (int) shape.get(shape.dimension() - 1);
        if (h == height && w == width) {
            return x.duplicate(); // same size: the identity (every source index is exact)
        }
        NDManager manager = x.getManager();
        NDArray rows = manager.create(matrix(h, height), new Shape(height, h));
        NDArray columns = manager.create(matrix(w, width), new Shape(width, w));
        return rows.matMul(x).matMul(columns.transpose());
    }

    /**
     * The {@code [out, in]} matrix whose row {@code o} holds the weights output position
     * {@code o} takes from the input positions: source coordinate {@code (o + 0.5) * in/out - 0.5},
     * clamped at 0, split between its two neighbours by distance (the right one clamped at the end).
     */
    static float[] matrix(int in, int out) {
        float[] weights = new float[out * in];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double source = Math.max(0.0, (o + 0.5) * scale - 0.5);
            int left = Math.min((int) source, in - 1);
            int right = Math.min(left + 1, in - 1);
            double toRight = source - left;
            weights[o * in + left] += (float) (1 - toRight);
            weights[o * in + right] += (float) toRight;
        }
        return weights;
    }
}
