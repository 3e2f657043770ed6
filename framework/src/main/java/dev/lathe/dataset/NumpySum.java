package dev.lathe.dataset;

/**
 * numpy's pairwise summation of a contiguous float64 array ({@code np.add.reduce}, used by
 * {@code np.mean}), so that means kohya writes into metadata agree to the last digit: blocks of
 * at most 128 values summed with eight interleaved accumulators, larger ranges split in two at a
 * multiple of eight.
 */
final class NumpySum {

    private static final int BLOCK = 128;

    private NumpySum() {
    }

    static double pairwise(double[] values) {
        return pairwise(values, 0, values.length);
    }

    private static double pairwise(double[] a, int from, int n) {
        if (n < 8) {
            double sum = 0.0;
            for (int i = 0; i < n; i++) {
                sum += a[from + i];
            }
            return sum;
        }
        if (n <= BLOCK) {
            double[] r = new double[8];
            for (int j = 0; j < 8; j++) {
                r[j] = a[from + j];
            }
            int i;
            for (i = 8; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[from + i + j];
                }
            }
            double sum = (r[0] + r[1]) + (r[2] + r[3]) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                sum += a[from + i];
            }
            return sum;
        }
        int half = n / 2;
        half -= half % 8;
        return pairwise(a, from, half) + pairwise(a, from + half, n - half);
    }
}
