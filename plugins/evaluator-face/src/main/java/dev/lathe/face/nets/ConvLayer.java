package dev.lathe.face.nets;

import dev.lathe.face.weights.ModelWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A convolution plus bias, filters {@code [kh, kw, in, out]}; no activation. */
record ConvLayer(INDArray filters, INDArray bias, int stride, Padding padding) {

    static ConvLayer of(ModelWeights weights, String filters, String bias, int stride, Padding padding) {
        return new ConvLayer(Layers.array(weights, filters), Layers.array(weights, bias), stride, padding);
    }

    /**
     * A conv followed by a per-channel affine {@code * scale + offset} (a folded batch norm),
     * folded into the filters and bias so it runs as one op.
     */
    ConvLayer scaled(INDArray scale, INDArray offset) {
        long out = filters.size(3);
        INDArray scaledFilters = filters.reshape('c', filters.length() / out, out).mulRowVector(scale).reshape('c', filters.shape());
        return new ConvLayer(scaledFilters, bias.mul(scale).addi(offset), stride, padding);
    }

    INDArray apply(INDArray x) {
        return apply(x, Activation.NONE);
    }

    INDArray apply(INDArray x, Activation activation) {
        return Layers.conv2d(x, filters, bias, stride, padding, activation);
    }
}
