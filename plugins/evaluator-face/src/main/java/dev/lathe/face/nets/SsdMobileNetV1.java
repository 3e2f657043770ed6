package dev.lathe.face.nets;

import dev.lathe.face.image.Box;
import dev.lathe.face.image.IntBox;
import dev.lathe.face.image.NetInput;
import dev.lathe.face.image.RgbImage;
import dev.lathe.face.weights.ModelWeights;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * face-api's SSD MobileNetV1 face detector (TF Object Detection API layout): a MobileNetV1
 * backbone on a 512x512 input, eight extra layers, and box predictors on six feature maps with
 * 5118 anchors in all.
 */
public final class SsdMobileNetV1 {

    public static final int INPUT_SIZE = 512;
    public static final int ANCHORS = 5118;
    /** TF's batch norm epsilon, the float32 nearest to 0.001. */
    private static final double BATCH_NORM_EPSILON = 0.0010000000474974513;
    private static final double IOU_THRESHOLD = 0.5;
    private static final Layers.Normalization NORMALIZATION = Layers.Normalization.symmetric();
    /** MobilenetV1/Conv2d_i_depthwise strides, i = 1…13. */
    private static final int[] DEPTHWISE_STRIDES = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};

    private final ConvLayer conv0;
    private final List<DepthwiseSeparable> backbone;
    private final List<ConvLayer> prediction;
    private final List<BoxPredictor> boxPredictors;
    private final float[] anchors;

    public SsdMobileNetV1(ModelWeights weights) {
        conv0 = ConvLayer.of(weights, "MobilenetV1/Conv2d_0_pointwise/weights",
                "MobilenetV1/Conv2d_0_pointwise/convolution_bn_offset", 2, Padding.SAME);
        backbone = IntStream.rangeClosed(1, 13)
                .mapToObj(i -> DepthwiseSeparable.of(weights, "MobilenetV1/Conv2d_" + i, DEPTHWISE_STRIDES[i - 1]))
                .toList();
        // Prediction/Conv2d_j_pointwise: 1x1 for even j, 3x3 stride 2 for odd j
        prediction = IntStream.range(0, 8)
                .mapToObj(j -> ConvLayer.of(weights, "Prediction/Conv2d_" + j + "_pointwise/weights",
                        "Prediction/Conv2d_" + j + "_pointwise/convolution_bn_offset", j % 2 == 0 ? 1 : 2, Padding.SAME))
                .toList();
        boxPredictors = IntStream.range(0, 6).mapToObj(k -> BoxPredictor.of(weights, "Prediction/BoxPredictor_" + k)).toList();
        anchors = weights.tensor("Output/extra_dim").values();
    }

    /**
     * Decoded boxes and scores of every anchor, before score filtering and suppression.
     *
     * @param boxes  {@code [ymin, xmin, ymax, xmax]} per anchor in coordinates of the padded
     *               square input (0…1 = the 512x512 network input), {@code 4 * ANCHORS} values
     * @param scores the face probability per anchor
     */
    public record Output(float[] boxes, float[] scores) {
    }

    /** Runs the network on a 512x512x3 input in 0…255 ({@link NetInput}, not centered). */
    public Output run(float[] input, Probe probe) {
        return Workspace.run("ssd", () -> forward(input, probe));
    }

    private Output forward(float[] input, Probe probe) {
        INDArray x = Layers.batch(List.of(input), INPUT_SIZE, NORMALIZATION);
        probe.record("normalized", x);
        List<INDArray> maps = new ArrayList<>(6);
        INDArray h = conv0.apply(x, Activation.RELU6);
        probe.record("conv_0", h);
        for (int i = 0; i < backbone.size(); i++) {
            h = backbone.get(i).apply(h);
            probe.record("conv_" + (i + 1), h);
            if (i == 10 || i == 12) {
                maps.add(h); // the outputs of Conv2d_11 and Conv2d_13
            }
        }
        for (int j = 0; j < prediction.size(); j++) {
            h = prediction.get(j).apply(h, Activation.RELU6);
            probe.record("prediction conv_" + j, h);
            if (j % 2 == 1) {
                maps.add(h); // the outputs of Prediction/Conv2d_1, 3, 5, 7
            }
        }
        float[] encodings = new float[4 * ANCHORS];
        float[] logits = new float[3 * ANCHORS];
        int anchor = 0;
        for (int k = 0; k < maps.size(); k++) {
            // NHWC outputs reshaped: anchor order is row, column, anchor within the cell
            INDArray encoding = boxPredictors.get(k).boxEncoding.apply(maps.get(k));
            INDArray logit = boxPredictors.get(k).classPredictor.apply(maps.get(k));
            long cells = encoding.length() / 4;
            probe.record("box_predictor_" + k + " box encodings", encoding.reshape(1, cells, 1, 4));
            probe.record("box_predictor_" + k + " class logits", logit.reshape(1, cells, 3));
            float[] e = Layers.toFloats(encoding);
            float[] l = Layers.toFloats(logit);
            System.arraycopy(e, 0, encodings, 4 * anchor, e.length);
            System.arraycopy(l, 0, logits, 3 * anchor, l.length);
            anchor += e.length / 4;
        }
        if (anchor != ANCHORS) {
            throw new IllegalStateException("the box predictors gave " + anchor + " anchors, not " + ANCHORS);
        }
        return new Output(decode(encodings), scores(logits));
    }

    /**
     * Centre-size decoding against the stored anchors, in float32: encoding {@code (ty, tx, th,
     * tw)} scaled by 10, 10, 5, 5.
     */
    private float[] decode(float[] encodings) {
        float[] boxes = new float[4 * ANCHORS];
        for (int a = 0; a < ANCHORS; a++) {
            int i = 4 * a;
            float ha = anchors[i + 2] - anchors[i];
            float wa = anchors[i + 3] - anchors[i + 1];
            float cya = anchors[i] + ha / 2f;
            float cxa = anchors[i + 1] + wa / 2f;
            float cy = encodings[i] / 10f * ha + cya;
            float cx = encodings[i + 1] / 10f * wa + cxa;
            float halfH = (float) Math.exp(encodings[i + 2] / 5f) * ha / 2f;
            float halfW = (float) Math.exp(encodings[i + 3] / 5f) * wa / 2f;
            boxes[i] = cy - halfH;
            boxes[i + 1] = cx - halfW;
            boxes[i + 2] = cy + halfH;
            boxes[i + 3] = cx + halfW;
        }
        return boxes;
    }

    /** {@code sigmoid(logit 1)}: logit 0 is the background, logit 2 is unused. */
    private static float[] scores(float[] logits) {
        float[] scores = new float[ANCHORS];
        for (int a = 0; a < ANCHORS; a++) {
            scores[a] = (float) (1 / (1 + Math.exp(-logits[3 * a + 1])));
        }
        return scores;
    }

    /**
     * The faces in an image: anchors scoring above {@code minConfidence}, suppressed at IoU 0.5,
     * at most {@code maxResults}, highest score first.
     */
    public List<Detection> detect(RgbImage image, double minConfidence, int maxResults) {
        Output out = run(NetInput.squareResized(image, new IntBox(0, 0, image.width(), image.height()), false, INPUT_SIZE), Probe.NONE);
        List<Integer> candidates = IntStream.range(0, ANCHORS).filter(a -> out.scores[a] > minConfidence).boxed()
                .sorted(Comparator.comparingDouble((Integer a) -> out.scores[a]).reversed()).toList();
        List<Integer> kept = GreedyNms.select(candidates, (a, b) -> iou(out.boxes, a, b), IOU_THRESHOLD, maxResults);

        // The padded square maps back to the image through the rounded reshaped size.
        int longest = Math.max(image.width(), image.height());
        double padX = (double) INPUT_SIZE / Math.round(image.width() * (double) INPUT_SIZE / longest);
        double padY = (double) INPUT_SIZE / Math.round(image.height() * (double) INPUT_SIZE / longest);
        List<Detection> detections = new ArrayList<>(kept.size());
        for (int a : kept) {
            double top = Math.max(0, out.boxes[4 * a]) * padY;
            double left = Math.max(0, out.boxes[4 * a + 1]) * padX;
            double bottom = Math.min(1, out.boxes[4 * a + 2]) * padY;
            double right = Math.min(1, out.boxes[4 * a + 3]) * padX;
            Box relative = new Box(left, top, right - left, bottom - top);
            detections.add(new Detection(out.scores[a], relative, relative.scale(image.width(), image.height())));
        }
        return detections;
    }

    /** IoU of two decoded boxes, corners taken with min/max; an empty box overlaps nothing. */
    private static double iou(float[] boxes, int a, int b) {
        float yminA = Math.min(boxes[4 * a], boxes[4 * a + 2]);
        float xminA = Math.min(boxes[4 * a + 1], boxes[4 * a + 3]);
        float ymaxA = Math.max(boxes[4 * a], boxes[4 * a + 2]);
        float xmaxA = Math.max(boxes[4 * a + 1], boxes[4 * a + 3]);
        float yminB = Math.min(boxes[4 * b], boxes[4 * b + 2]);
        float xminB = Math.min(boxes[4 * b + 1], boxes[4 * b + 3]);
        float ymaxB = Math.max(boxes[4 * b], boxes[4 * b + 2]);
        float xmaxB = Math.max(boxes[4 * b + 1], boxes[4 * b + 3]);
        double areaA = (ymaxA - yminA) * (double) (xmaxA - xminA);
        double areaB = (ymaxB - yminB) * (double) (xmaxB - xminB);
        if (areaA <= 0 || areaB <= 0) {
            return 0;
        }
        double intersection = Math.max(0, Math.min(ymaxA, ymaxB) - (double) Math.max(yminA, yminB))
                * Math.max(0, Math.min(xmaxA, xmaxB) - (double) Math.max(xminA, xminB));
        return intersection / (areaA + areaB - intersection);
    }

    /**
     * {@code MobilenetV1/Conv2d_i_depthwise} (3x3, batch norm, ReLU6) then
     * {@code MobilenetV1/Conv2d_i_pointwise} (1x1 + offset, ReLU6). The batch norm is folded into
     * the depthwise filters and a bias.
     */
    private record DepthwiseSeparable(INDArray depthwise, INDArray depthwiseBias, int stride, ConvLayer pointwise) {

        static DepthwiseSeparable of(ModelWeights weights, String prefix, int stride) {
            String bn = prefix + "_depthwise/BatchNorm/";
            INDArray scale = Transforms.sqrt(Layers.array(weights, bn + "moving_variance").addi(BATCH_NORM_EPSILON), false)
                    .rdivi(Layers.array(weights, bn + "gamma"));
            INDArray bias = Layers.array(weights, bn + "beta").subi(Layers.array(weights, bn + "moving_mean").muli(scale));
            INDArray filters = Layers.array(weights, prefix + "_depthwise/depthwise_weights");
            long channels = filters.size(2);
            INDArray folded = filters.reshape('c', filters.length() / channels, channels).mulRowVector(scale).reshape('c', filters.shape());
            return new DepthwiseSeparable(folded, bias, stride, ConvLayer.of(weights, prefix + "_pointwise/weights",
                    prefix + "_pointwise/convolution_bn_offset", 1, Padding.SAME));
        }

        INDArray apply(INDArray x) {
            INDArray h = Layers.depthwise(x, depthwise, depthwiseBias, stride, Padding.SAME, Activation.RELU6);
            return pointwise.apply(h, Activation.RELU6);
        }
    }

    /** {@code prefix/BoxEncodingPredictor/{weights, biases}} and {@code prefix/ClassPredictor/…}: 1x1 convs. */
    private record BoxPredictor(ConvLayer boxEncoding, ConvLayer classPredictor) {
        static BoxPredictor of(ModelWeights weights, String prefix) {
            return new BoxPredictor(
                    ConvLayer.of(weights, prefix + "/BoxEncodingPredictor/weights", prefix + "/BoxEncodingPredictor/biases", 1, Padding.SAME),
                    ConvLayer.of(weights, prefix + "/ClassPredictor/weights", prefix + "/ClassPredictor/biases", 1, Padding.SAME));
        }
    }
}
