package dev.lathe.face.nets;

import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * TensorFlow's padding rules. {@code SAME}: output size {@code ceil(in / stride)}, total padding
 * {@code max((out - 1) * stride + k - in, 0)} of which the top/left gets {@code floor(total / 2)}
 * and the bottom/right the rest (so 3x3 stride 2 on an even input pads 0 before, 1 after).
 * {@code VALID}: no padding, output {@code floor((in - k) / stride) + 1}.
 */
public enum Padding {
    SAME,
    VALID;

    PaddingMode nd4j() {
        return this == SAME ? PaddingMode.SAME : PaddingMode.VALID;
    }

    /** Output size along one axis. */
    int outputSize(int in, int kernel, int stride) {
        return this == SAME ? (in + stride - 1) / stride : (in - kernel) / stride + 1;
    }

    /** Padding before the first element along one axis. */
    int before(int in, int kernel, int stride) {
        if (this == VALID) {
            return 0;
        }
        int total = Math.max((outputSize(in, kernel, stride) - 1) * stride + kernel - in, 0);
        return total / 2;
    }
}
