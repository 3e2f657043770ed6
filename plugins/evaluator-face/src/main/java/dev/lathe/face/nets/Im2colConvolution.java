package dev.lathe.face.nets;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A k x k convolution over NHWC as one matrix product: the patches are gathered into a
 * {@code [n*oh*ow, kh*kw*in]} matrix (in Java, on ND4J's buffers) and multiplied by the filters,
 * whose TensorFlow layout {@code [kh, kw, in, out]} is already that matrix's row order.
 *
 * <p>Why not ND4J's {@code conv2d}: for NHWC input it reached 10 GFLOP/s on these layers (the
 * 3x3 convolutions of the recognition net, SSD's first layer), a fifth of what the product alone
 * reaches.
 */
final class Im2colConvolution {

    private Im2colConvolution() {
    }

    static INDArray apply(INDArray x, INDArray filters, INDArray bias, int stride, Padding padding, Activation activation) {
        x = Layers.contiguous(x);
        int n = (int) x.size(0);
        int h = (int) x.size(1);
        int w = (int) x.size(2);
        int c = (int) x.size(3);
        int kh = (int) filters.size(0);
        int kw = (int) filters.size(1);
        int out = (int) filters.size(3);
        int oh = padding.outputSize(h, kh, stride);
        int ow = padding.outputSize(w, kw, stride);
        int padTop = padding.before(h, kh, stride);
        int padLeft = padding.before(w, kw, stride);
        int patch = kh * kw * c;

        INDArray columns = Nd4j.createUninitialized(DataType.FLOAT, new long[] {(long) n * oh * ow, patch}, 'c');
        FloatBuffer in = x.data().asNioFloat();
        FloatBuffer col = columns.data().asNioFloat();
        int inRow = w * c;
        RowTasks.run(n * oh, (from, to) -> {
            float[][] inputRows = new float[kh][inRow];
            float[] colRow = new float[ow * patch];
            for (int row = from; row < to; row++) {
                int image = row / oh;
                int oy = row % oh;
                Arrays.fill(colRow, 0f);
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy * stride - padTop + ky;
                    if (iy < 0 || iy >= h) {
                        continue;
                    }
                    in.get((image * h + iy) * inRow, inputRows[ky]);
                    for (int ox = 0; ox < ow; ox++) {
                        // the row's kw taps are contiguous in the input and in the patch: one copy
                        int firstX = ox * stride - padLeft;
                        int firstTap = Math.max(0, -firstX);
                        int endTap = Math.min(kw, w - firstX);
                        if (firstTap < endTap) {
                            System.arraycopy(inputRows[ky], (firstX + firstTap) * c, colRow, ox * patch + (ky * kw + firstTap) * c,
                                    (endTap - firstTap) * c);
                        }
                    }
                }
                col.put(row * ow * patch, colRow);
            }
        });
        return Layers.matrixProduct(columns, filters.reshape('c', patch, out), bias, activation).reshape('c', n, oh, ow, out);
    }
}
