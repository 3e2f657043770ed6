package dev.lathe.face.nets;

import dev.lathe.face.weights.ModelWeights;
import dev.lathe.face.weights.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.api.ops.impl.layers.convolution.AvgPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The operations the four face networks are made of, on NHWC float arrays with TensorFlow's
 * weight layouts (conv filters {@code [kh, kw, in, out]} = ND4J's YXIO, depthwise
 * {@code [kh, kw, channels, 1]}), so the manifest's tensors are used as they are.
 */
final class Layers {

    private Layers() {
    }

    /** The tensor as an ND4J array of its manifest shape. */
    static INDArray array(ModelWeights weights, String name) {
        Tensor t = weights.tensor(name);
        long[] shape = new long[t.shape().length];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.shape()[i];
        }
        return Nd4j.create(t.values().clone(), shape, 'c');
    }

    /**
     * How a network maps an input value 0…255 of channel c (0 R, 1 G, 2 B) to what it sees:
     * {@code (x - subtract[c]) / divide - offset}, in float32 as face-api computes it.
     */
    record Normalization(float[] subtract, float divide, float offset) {

        /** {@code (x - mean[c]) / 255}: the landmark, recognition and tiny detector nets. */
        static Normalization meanRgb(float r, float g, float b) {
            return new Normalization(new float[] {r, g, b}, 255f, 0f);
        }

        /** {@code x / 127.5 - 1}: SSD MobileNetV1. */
        static Normalization symmetric() {
            return new Normalization(new float[3], 127.5f, 1f);
        }
    }

    /**
     * Stacks network inputs ({@code size*size*3} floats each, see
     * {@link dev.lathe.face.image.NetInput}) into one normalized {@code [n, size, size, 3]} batch.
     */
    static INDArray batch(List<float[]> inputs, int size, Normalization normalization) {
        int values = size * size * 3;
        INDArray batch = Nd4j.createUninitialized(DataType.FLOAT, new long[] {inputs.size(), size, size, 3}, 'c');
        FloatBuffer data = batch.data().asNioFloat();
        float[] normalized = new float[values];
        float[] subtract = normalization.subtract();
        for (int n = 0; n < inputs.size(); n++) {
            float[] input = inputs.get(n);
            if (input.length != values) {
                throw new IllegalArgumentException("expected a " + size + "x" + size + "x3 input, got " + input.length + " values");
            }
            for (int i = 0; i < values; i += 3) {
                for (int c = 0; c < 3; c++) {
                    normalized[i + c] = (input[i + c] - subtract[c]) / normalization.divide() - normalization.offset();
                }
            }
            data.put(n * values, normalized);
        }
        return batch;
    }

    /**
     * Convolution plus bias. A 1x1 stride-1 convolution over NHWC is a matrix product of the
     * pixels with the {@code [in, out]} filter matrix; larger kernels gather patches first.
     */
    static INDArray conv2d(INDArray x, INDArray filters, INDArray bias, int stride, Padding padding, Activation activation) {
        if (filters.size(0) == 1 && filters.size(1) == 1 && stride == 1) {
            return pointwise(x, filters, bias, activation);
        }
        return Im2colConvolution.apply(x, filters, bias, stride, padding, activation);
    }

    /**
     * 1x1 convolution as {@code [N*H*W, in] x [in, out] + bias}. The product goes into a fresh
     * c-order array: {@code mmul} would return Fortran order, and reshaping that back to NHWC
     * copies it (7x slower than the product itself for a 256x256x32 input).
     */
    static INDArray pointwise(INDArray x, INDArray filters, INDArray bias, Activation activation) {
        x = contiguous(x);
        long in = filters.size(2);
        long out = filters.size(3);
        long pixels = x.length() / in;
        return matrixProduct(x.reshape('c', pixels, in), filters.reshape('c', in, out), bias, activation)
                .reshape('c', x.size(0), x.size(1), x.size(2), out);
    }

    /** {@code activation(a x b + bias)} into a fresh c-order matrix. */
    static INDArray matrixProduct(INDArray a, INDArray b, INDArray bias, Activation activation) {
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, new long[] {a.size(0), b.size(1)}, 'c');
        Nd4j.gemm(a, b, y, false, false, 1.0, 0.0);
        BiasActivation.apply(y, bias, activation);
        return y;
    }

    /** {@code x} itself when its data is plain row-major from offset 0, else a row-major copy. */
    static INDArray contiguous(INDArray x) {
        boolean plain = x.ordering() == 'c' && x.offset() == 0 && x.data().length() == x.length()
                && Shape.hasDefaultStridesForShape(x);
        return plain ? x : x.dup('c');
    }

    /** Depthwise convolution (channel multiplier 1) plus an optional per-channel bias. */
    static INDArray depthwise(INDArray x, INDArray filters, INDArray bias, int stride, Padding padding) {
        return DepthwiseConvolution.apply(x, filters, bias, stride, padding, Activation.NONE);
    }

    /** The same followed by an activation, in one pass. */
    static INDArray depthwise(INDArray x, INDArray filters, INDArray bias, int stride, Padding padding, Activation activation) {
        return DepthwiseConvolution.apply(x, filters, bias, stride, padding, activation);
    }

    /** Max pooling; cells in the padding never win. */
    static INDArray maxPool(INDArray x, int kernel, int stride, Padding padding) {
        return Nd4j.exec(new MaxPooling2D(x, null, pooling(kernel, stride, padding)))[0];
    }

    /** Average pooling (only {@code VALID} is used, so there is no padding to count). */
    static INDArray avgPool(INDArray x, int kernel, int stride, Padding padding) {
        return Nd4j.exec(new AvgPooling2D(x, null, pooling(kernel, stride, padding)))[0];
    }

    private static Pooling2DConfig pooling(int kernel, int stride, Padding padding) {
        return Pooling2DConfig.builder().kH(kernel).kW(kernel).sH(stride).sW(stride)
                .paddingMode(padding.nd4j()).divisor(Pooling2D.Divisor.EXCLUDE_PADDING).isNHWC(true).build();
    }

    /** The values of an array in row-major order. */
    static float[] toFloats(INDArray x) {
        return x.dup('c').data().asFloat();
    }

    /** The rows of a matrix as Java arrays. */
    static float[][] toRows(INDArray matrix) {
        float[] values = toFloats(matrix);
        int columns = (int) matrix.size(1);
        float[][] rows = new float[(int) matrix.size(0)][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Arrays.copyOfRange(values, i * columns, (i + 1) * columns);
        }
        return rows;
    }

    /** {@code max(x, 0)} in place. */
    static INDArray relu(INDArray x) {
        return Transforms.relu(x, false);
    }
}
