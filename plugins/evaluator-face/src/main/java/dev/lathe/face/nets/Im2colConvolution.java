package dev.lathe.face.nets;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A k x k convolution over NHWC as matrix products: the patches of a block of output rows are
 * gathered into a {@code [pixels, kh*kw*in]} matrix (in Java, on ND4J's buffers) and multiplied
 * by the filters, whose TensorFlow layout {@code [kh, kw, in, out]} is already that matrix's row
 * order, straight into the block's rows of the output.
 *
 * <p>Why not ND4J's {@code conv2d}: for NHWC input it reached 10 GFLOP/s on these layers (the
 * 3x3 convolutions of the recognition net, SSD's first layer), a fifth of what the product alone
 * reaches.
 */
final class Im2colConvolution {

    /** Size of the patch matrix of one block of output rows: 8 MB, and at least one row. */
    private static final int BLOCK_FLOATS = 1 << 21;

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

        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, new long[] {(long) n * oh * ow, out}, 'c');
        INDArray weights = filters.reshape('c', patch, out);
        Gather gather = new Gather(x.data().asNioFloat(), h, w, c, kh, kw, stride, oh, ow, padTop, padLeft);
        // Blocks of output rows, so the patch matrix stays a few MB however large the batch.
        int rows = n * oh;
        int rowsPerBlock = Math.max(1, BLOCK_FLOATS / (ow * patch));
        for (int first = 0; first < rows; first += rowsPerBlock) {
            int start = first;
            int end = Math.min(rows, first + rowsPerBlock);
            Workspace.scratch("patches", () -> {
                INDArray columns = Nd4j.createUninitialized(DataType.FLOAT, new long[] {(long) (end - start) * ow, patch}, 'c');
                gather.rows(columns.data().asNioFloat(), start, end);
                INDArray target = y.get(NDArrayIndex.interval((long) start * ow, (long) end * ow), NDArrayIndex.all());
                Nd4j.gemm(columns, weights, target, false, false, 1.0, 0.0);
            });
        }
        BiasActivation.apply(y, bias, activation);
        return y.reshape('c', n, oh, ow, out);
    }

    /** Copies the patches of output rows into a patch matrix. */
    private record Gather(FloatBuffer in, int h, int w, int c, int kh, int kw, int stride, int oh, int ow, int padTop, int padLeft) {

        /** Output rows {@code start … end-1} (counting through the batch) into {@code columns}. */
        void rows(FloatBuffer columns, int start, int end) {
            int patch = kh * kw * c;
            int inRow = w * c;
            RowTasks.run(end - start, (from, to) -> {
                float[][] inputRows = new float[kh][inRow];
                float[] colRow = new float[ow * patch];
                for (int row = start + from; row < start + to; row++) {
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
                                System.arraycopy(inputRows[ky], (firstX + firstTap) * c, colRow,
                                        ox * patch + (ky * kw + firstTap) * c, (endTap - firstTap) * c);
                            }
                        }
                    }
                    columns.put((row - start) * ow * patch, colRow);
                }
            });
        }
    }
}
