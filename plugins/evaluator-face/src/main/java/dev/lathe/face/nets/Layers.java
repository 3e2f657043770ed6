package dev.lathe.face.nets;

import dev.lathe.face.weights.ModelWeights;
import dev.lathe.face.weights.Tensor;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.api.ops.impl.layers.convolution.AvgPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
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

    /** How a network maps an input value 0…255 of one channel (0 R, 1 G, 2 B) to what it sees. */
    @FunctionalInterface
    interface Normalization {
        float apply(float value, int channel);

        /** {@code (x - mean[channel]) / 255}, as the landmark, recognition and tiny detector nets do. */
        static Normalization meanRgb(float r, float g, float b) {
            float[] mean = {r, g, b};
            return (value, channel) -> (value - mean[channel]) / 255f;
        }
    }

    /**
     * Stacks network inputs ({@code size*size*3} floats each, see
     * {@link dev.lathe.face.image.NetInput}) into one normalized {@code [n, size, size, 3]} batch.
     */
    static INDArray batch(java.util.List<float[]> inputs, int size, Normalization normalization) {
        int pixels = size * size;
        float[] data = new float[inputs.size() * pixels * 3];
        int o = 0;
        for (float[] input : inputs) {
            if (input.length != pixels * 3) {
                throw new IllegalArgumentException("expected a " + size + "x" + size + "x3 input, got " + input.length + " values");
            }
            for (int i = 0; i < input.length; i++) {
                data[o++] = normalization.apply(input[i], i % 3);
            }
        }
        return Nd4j.create(data, new long[] {inputs.size(), size, size, 3}, 'c');
    }

    /**
     * Convolution plus bias. A 1x1 stride-1 convolution over NHWC is a matrix product of the
     * pixels with the {@code [in, out]} filter matrix, which runs as one GEMM without im2col.
     */
    static INDArray conv2d(INDArray x, INDArray filters, INDArray bias, int stride, Padding padding) {
        long kh = filters.size(0);
        long kw = filters.size(1);
        if (kh == 1 && kw == 1 && stride == 1) {
            return pointwise(x, filters, bias);
        }
        Conv2DConfig config = Conv2DConfig.builder().kH(kh).kW(kw).sH(stride).sW(stride)
                .paddingMode(padding.nd4j()).dataFormat(Conv2DConfig.NHWC).weightsFormat(WeightsFormat.YXIO).build();
        return Nd4j.exec(new Conv2D(new INDArray[] {x, filters, bias}, null, config))[0];
    }

    /**
     * 1x1 convolution as {@code [N*H*W, in] x [in, out] + bias}. The product goes into a fresh
     * c-order array: {@code mmul} would return Fortran order, and reshaping that back to NHWC
     * copies it (7x slower than the product itself for a 256x256x32 input).
     */
    static INDArray pointwise(INDArray x, INDArray filters, INDArray bias) {
        x = contiguous(x);
        long in = filters.size(2);
        long out = filters.size(3);
        long pixels = x.length() / in;
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, new long[] {pixels, out}, 'c');
        Nd4j.gemm(x.reshape('c', pixels, in), filters.reshape('c', in, out), y, false, false, 1.0, 0.0);
        if (bias != null) {
            y.addiRowVector(bias);
        }
        return y.reshape('c', x.size(0), x.size(1), x.size(2), out);
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

    static INDArray relu(INDArray x) {
        return Transforms.relu(x, false);
    }

    /** {@code min(max(x, 0), 6)}. */
    static INDArray relu6(INDArray x) {
        return Transforms.relu6(x, false);
    }

    /**
     * {@code max(x, 0.1 x)}, computed as face-api does, {@code relu(x - 0.1 x) + 0.1 x}, which
     * differs in the last bit.
     */
    static INDArray leaky(INDArray x) {
        INDArray tenth = x.mul(0.1f);
        return Transforms.relu(x.subi(tenth), false).addi(tenth);
    }
}
