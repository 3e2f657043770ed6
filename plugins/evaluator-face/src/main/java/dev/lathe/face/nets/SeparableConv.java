package dev.lathe.face.nets;

import dev.lathe.face.weights.ModelWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A depthwise 3x3 conv ({@code same}, the given stride, channel multiplier 1) followed by a 1x1
 * pointwise conv and a bias; weights {@code prefix/depthwise_filter, pointwise_filter, bias}.
 */
record SeparableConv(INDArray depthwise, INDArray pointwise, INDArray bias, int stride) {

    static SeparableConv of(ModelWeights weights, String prefix, int stride) {
        return new SeparableConv(Layers.array(weights, prefix + "/depthwise_filter"),
                Layers.array(weights, prefix + "/pointwise_filter"), Layers.array(weights, prefix + "/bias"), stride);
    }

    INDArray apply(INDArray x) {
        return apply(x, Activation.NONE);
    }

    INDArray apply(INDArray x, Activation activation) {
        return Layers.pointwise(Layers.depthwise(x, depthwise, null, stride, Padding.SAME), pointwise, bias, activation);
    }
}
