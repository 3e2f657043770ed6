package dev.lathe.face.nets;

import dev.lathe.face.weights.ModelWeights;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * face-api's face recognition net, the dlib ResNet (29 conv layers) that maps a 150x150 face crop
 * to a 128-D descriptor; two crops of one person are closer than 0.6 (Euclidean).
 *
 * <p>Every conv is {@code conv + conv/bias}, then the per-channel affine {@code scale/weights,
 * scale/biases} of a folded batch norm, which is folded into the filters and bias here.
 */
public final class FaceRecognitionNet {

    public static final int INPUT_SIZE = 150;
    private static final Layers.Normalization NORMALIZATION = Layers.Normalization.meanRgb(122.782f, 117.001f, 104.298f);

    private final ConvLayer conv32Down;
    private final List<Block> blocks;
    private final INDArray fc;

    public FaceRecognitionNet(ModelWeights weights) {
        conv32Down = scaledConv(weights, "conv32_down", 2, Padding.VALID);
        blocks = List.of(
                Block.residual(weights, "conv32_1"), Block.residual(weights, "conv32_2"), Block.residual(weights, "conv32_3"),
                Block.residualDown(weights, "conv64_down"),
                Block.residual(weights, "conv64_1"), Block.residual(weights, "conv64_2"), Block.residual(weights, "conv64_3"),
                Block.residualDown(weights, "conv128_down"),
                Block.residual(weights, "conv128_1"), Block.residual(weights, "conv128_2"),
                Block.residualDown(weights, "conv256_down"),
                Block.residual(weights, "conv256_1"), Block.residual(weights, "conv256_2"),
                Block.residualDown(weights, "conv256_down_out"));
        fc = Layers.array(weights, "fc");
    }

    /**
     * The descriptors of a batch of crops.
     *
     * @param inputs 150x150x3 floats in 0…255 each ({@link dev.lathe.face.image.NetInput}, centered)
     * @return one 128-D descriptor per input (not normalized)
     */
    public float[][] descriptors(List<float[]> inputs) {
        return Workspace.run("recognition", () -> Layers.toRows(forward(batch(inputs), Probe.NONE)));
    }

    /** The batch the network sees: crops as {@link #descriptors} takes them, normalized. */
    public static INDArray batch(List<float[]> inputs) {
        return Layers.batch(inputs, INPUT_SIZE, NORMALIZATION);
    }

    /** {@code [n, 150, 150, 3]} normalized input → {@code [n, 128]}. */
    public INDArray forward(INDArray x, Probe probe) {
        INDArray h = conv32Down.apply(x, Activation.RELU);
        probe.record("conv32_down", h);
        h = Layers.maxPool(h, 3, 2, Padding.VALID);
        probe.record("maxPool", h);
        for (Block block : blocks) {
            h = block.apply(h);
            probe.record(block.name(), h);
        }
        INDArray mean = h.mean(1, 2);
        probe.record("mean", mean);
        INDArray descriptors = mean.mmul(fc);
        probe.record("fc", descriptors);
        return descriptors;
    }

    /** {@code prefix/conv/filters, conv/bias} followed by {@code scale/weights, scale/biases}. */
    private static ConvLayer scaledConv(ModelWeights weights, String prefix, int stride, Padding padding) {
        return ConvLayer.of(weights, prefix + "/conv/filters", prefix + "/conv/bias", stride, padding)
                .scaled(Layers.array(weights, prefix + "/scale/weights"), Layers.array(weights, prefix + "/scale/biases"));
    }

    /** A residual block: two 3x3 convs and a shortcut. */
    private record Block(String name, ConvLayer conv1, ConvLayer conv2, boolean down) {

        /** {@code y = relu(conv2(relu(conv1(x))) + x)}, both convs stride 1 {@code same}. */
        static Block residual(ModelWeights weights, String prefix) {
            return new Block(prefix, scaledConv(weights, prefix + "/conv1", 1, Padding.SAME),
                    scaledConv(weights, prefix + "/conv2", 1, Padding.SAME), false);
        }

        /**
         * Halves the size: conv1 is 3x3 stride 2 {@code valid}; the shortcut is a 2x2 average
         * pool with zero channels appended up to conv2's channel count.
         */
        static Block residualDown(ModelWeights weights, String prefix) {
            return new Block(prefix, scaledConv(weights, prefix + "/conv1", 2, Padding.VALID),
                    scaledConv(weights, prefix + "/conv2", 1, Padding.SAME), true);
        }

        INDArray apply(INDArray x) {
            INDArray main = conv2.apply(conv1.apply(x, Activation.RELU));
            INDArray shortcut = x;
            if (down) {
                shortcut = Layers.avgPool(x, 2, 2, Padding.VALID);
                long missing = main.size(3) - shortcut.size(3);
                if (missing > 0) {
                    shortcut = Nd4j.concat(3, shortcut, Nd4j.zeros(shortcut.dataType(),
                            shortcut.size(0), shortcut.size(1), shortcut.size(2), missing));
                }
                // conv1 'valid' on an even size loses one row and column (8 -> 3 vs 4, 4 -> 1 vs 2):
                // face-api pads the main branch with zeros at the bottom and right.
                if (main.size(1) < shortcut.size(1)) {
                    INDArray padded = Nd4j.zeros(main.dataType(), shortcut.shape());
                    padded.get(NDArrayIndex.all(), NDArrayIndex.interval(0, main.size(1)),
                            NDArrayIndex.interval(0, main.size(2)), NDArrayIndex.all()).assign(main);
                    main = padded;
                }
            }
            return Layers.relu(main.addi(shortcut));
        }
    }
}
