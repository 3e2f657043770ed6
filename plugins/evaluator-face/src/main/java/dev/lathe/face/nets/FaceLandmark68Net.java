package dev.lathe.face.nets;

import dev.lathe.face.weights.ModelWeights;
import java.util.List;
import java.util.function.BiFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * face-api's 68-point landmark net: four densely connected blocks (32, 64, 128, 256 channels,
 * each halving the size 112 → 7), a 7x7 average pool and a fully connected layer giving 68
 * (x, y) pairs relative to the padded 112x112 input.
 */
public final class FaceLandmark68Net {

    public static final int INPUT_SIZE = 112;
    private static final Layers.Normalization NORMALIZATION = Layers.Normalization.meanRgb(122.782f, 117.001f, 104.298f);

    private final List<DenseBlock> dense;
    private final INDArray fcWeights;
    private final INDArray fcBias;

    public FaceLandmark68Net(ModelWeights weights) {
        ConvLayer dense0conv0 = ConvLayer.of(weights, "dense0/conv0/filters", "dense0/conv0/bias", 2, Padding.SAME);
        dense = List.of(
                DenseBlock.of(weights, "dense0", dense0conv0::apply),
                DenseBlock.of(weights, "dense1", SeparableConv.of(weights, "dense1/conv0", 2)::apply),
                DenseBlock.of(weights, "dense2", SeparableConv.of(weights, "dense2/conv0", 2)::apply),
                DenseBlock.of(weights, "dense3", SeparableConv.of(weights, "dense3/conv0", 2)::apply));
        fcWeights = Layers.array(weights, "fc/weights");
        fcBias = Layers.array(weights, "fc/bias");
    }

    /**
     * The raw outputs {@code x0, y0, x1, y1, …} (136 values, relative to the padded square) of a
     * batch of crops, each 112x112x3 floats in 0…255 ({@link dev.lathe.face.image.NetInput},
     * centered).
     */
    public float[][] rawLandmarks(List<float[]> inputs) {
        return Workspace.run("landmarks", () -> Layers.toRows(forward(batch(inputs), Probe.NONE)));
    }

    /** The batch the network sees: crops as {@link #rawLandmarks} takes them, normalized. */
    public static INDArray batch(List<float[]> inputs) {
        return Layers.batch(inputs, INPUT_SIZE, NORMALIZATION);
    }

    /** {@code [n, 112, 112, 3]} normalized input → {@code [n, 136]}. */
    public INDArray forward(INDArray x, Probe probe) {
        INDArray h = x;
        for (int i = 0; i < dense.size(); i++) {
            h = dense.get(i).apply(h);
            probe.record("dense" + i, h);
        }
        INDArray pooled = Layers.avgPool(h, 7, 2, Padding.VALID);
        probe.record("avgPool", pooled);
        INDArray out = pooled.reshape(pooled.size(0), pooled.size(3)).mmul(fcWeights).addiRowVector(fcBias);
        probe.record("fc", out);
        return out;
    }

    /**
     * A block whose every layer sees the sum of all earlier outputs: conv0 halves the size, then
     * three stride-1 separable convs ({@code prefix/conv1…conv3}).
     */
    private record DenseBlock(BiFunction<INDArray, Activation, INDArray> conv0, SeparableConv conv1, SeparableConv conv2, SeparableConv conv3) {

        static DenseBlock of(ModelWeights weights, String prefix, BiFunction<INDArray, Activation, INDArray> conv0) {
            return new DenseBlock(conv0, SeparableConv.of(weights, prefix + "/conv1", 1),
                    SeparableConv.of(weights, prefix + "/conv2", 1), SeparableConv.of(weights, prefix + "/conv3", 1));
        }

        INDArray apply(INDArray x) {
            INDArray out1 = conv0.apply(x, Activation.RELU);
            INDArray out2 = conv1.apply(out1);
            INDArray out3 = conv2.apply(Layers.relu(out1.add(out2)));
            INDArray out4 = conv3.apply(Layers.relu(out1.add(out2.add(out3))));
            // summed in face-api's order: float addition is not associative
            return Layers.relu(out1.add(out2.add(out3.add(out4))));
        }
    }
}
