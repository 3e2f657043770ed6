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

/**
 * face-api's Tiny Face Detector: a small YOLO-v2-style net on a 416x416 input predicting five
 * anchor boxes in each cell of a 13x13 grid. Faster and less accurate than
 * {@link SsdMobileNetV1}.
 */
public final class TinyFaceDetector {

    public static final int INPUT_SIZE = 416;
    public static final int GRID = 13;
    private static final double IOU_THRESHOLD = 0.4;
    private static final Layers.Normalization NORMALIZATION = Layers.Normalization.meanRgb(117.001f, 114.697f, 97.404f);
    /** Anchor (width, height) in grid cells. */
    private static final double[][] ANCHORS = {
            {1.603231, 2.094468}, {6.041143, 7.080126}, {2.882459, 3.518061}, {4.266906, 5.178857}, {9.041765, 10.66308}};

    private final ConvLayer conv0;
    private final List<SeparableConv> separable;
    private final ConvLayer conv8;

    public TinyFaceDetector(ModelWeights weights) {
        conv0 = ConvLayer.of(weights, "conv0/filters", "conv0/bias", 1, Padding.VALID);
        // Each of conv1…conv5 pads by one on every side and then convolves 'valid': for a 3x3
        // stride-1 kernel that is exactly 'same'.
        separable = IntStream.rangeClosed(1, 5).mapToObj(k -> SeparableConv.of(weights, "conv" + k, 1)).toList();
        conv8 = ConvLayer.of(weights, "conv8/filters", "conv8/bias", 1, Padding.SAME);
    }

    /**
     * The raw output of conv8 (no activation): {@code [row][col][anchor * 5 + k]} with k = tx, ty,
     * tw, th, objectness logit; {@code 13 * 13 * 25} values.
     *
     * @param input 416x416x3 floats in 0…255 ({@link NetInput}, not centered)
     */
    public float[] run(float[] input) {
        return Workspace.run("tiny", () -> forward(input));
    }

    private float[] forward(float[] input) {
        INDArray h = conv0.apply(Layers.batch(List.of(input), INPUT_SIZE, NORMALIZATION), Activation.LEAKY);
        h = Layers.maxPool(h, 2, 2, Padding.SAME);
        for (int k = 0; k < separable.size(); k++) {
            h = separable.get(k).apply(h, Activation.LEAKY);
            // conv5's pool keeps the 13x13 grid
            h = Layers.maxPool(h, 2, k < 4 ? 2 : 1, Padding.SAME);
        }
        return Layers.toFloats(conv8.apply(h));
    }

    /** The faces scoring above {@code scoreThreshold}, suppressed at IoU 0.4, highest score first. */
    public List<Detection> detect(RgbImage image, double scoreThreshold) {
        float[] out = run(NetInput.squareResized(image, new IntBox(0, 0, image.width(), image.height()), false, INPUT_SIZE));
        int longest = Math.max(image.width(), image.height());
        double cellX = (double) INPUT_SIZE / Math.round(image.width() * (double) INPUT_SIZE / longest);
        double cellY = (double) INPUT_SIZE / Math.round(image.height() * (double) INPUT_SIZE / longest);

        List<Detection> candidates = new ArrayList<>();
        for (int row = 0; row < GRID; row++) {
            for (int col = 0; col < GRID; col++) {
                for (int a = 0; a < ANCHORS.length; a++) {
                    int i = (row * GRID + col) * 25 + a * 5;
                    double score = sigmoid(out[i + 4]);
                    if (score <= scoreThreshold) {
                        continue;
                    }
                    double cx = (col + sigmoid(out[i])) / GRID * cellX;
                    double cy = (row + sigmoid(out[i + 1])) / GRID * cellY;
                    double w = Math.exp(out[i + 2]) * ANCHORS[a][0] / GRID * cellX;
                    double h = Math.exp(out[i + 3]) * ANCHORS[a][1] / GRID * cellY;
                    Box relative = new Box(cx - w / 2, cy - h / 2, w, h);
                    candidates.add(new Detection(score, relative, relative.scale(image.width(), image.height())));
                }
            }
        }
        candidates.sort(Comparator.comparingDouble(Detection::score).reversed());
        return GreedyNms.select(candidates, TinyFaceDetector::iou, IOU_THRESHOLD, Integer.MAX_VALUE);
    }

    private static double sigmoid(float x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** IoU of the relative boxes scaled to the 416 input, area = width * height. */
    private static double iou(Detection a, Detection b) {
        Box p = a.relativeBox().scale(INPUT_SIZE, INPUT_SIZE);
        Box q = b.relativeBox().scale(INPUT_SIZE, INPUT_SIZE);
        double intersection = Math.max(0, Math.min(p.right(), q.right()) - Math.max(p.x(), q.x()))
                * Math.max(0, Math.min(p.bottom(), q.bottom()) - Math.max(p.y(), q.y()));
        return intersection / (p.area() + q.area() - intersection);
    }
}
