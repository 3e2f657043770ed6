package dev.lathe.face.weights;

import java.util.Arrays;

/**
 * One tensor of a weights manifest, dequantized to float32.
 *
 * @param name       the manifest's name, e.g. {@code conv32_down/conv/filters}
 * @param shape      row-major shape as in the manifest ({@code []} for a scalar); conv filters
 *                   {@code [kh, kw, in, out]}, depthwise filters {@code [kh, kw, in, 1]},
 *                   fully-connected {@code [in, out]}
 * @param values     the values in row-major order (int32 entries converted to float)
 * @param byteOffset where the tensor starts in the concatenated weight files
 * @param byteLength how many bytes it occupies there
 */
public record Tensor(String name, int[] shape, float[] values, long byteOffset, int byteLength) {

    /** Number of elements: the product of the shape, 1 for a scalar. */
    public static int count(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
