package dev.lathe.optimizer.adafactor;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * {@link Adafactor}'s update as Java loops over float32 CPU memory: three passes over the
 * gradient and two over the weights, where the DJL operations take a dozen passes with a thread
 * hand-over each. The formulas of the DJL form; sums are accumulated in double.
 *
 * <ol>
 *   <li>RMS of the weights (before the update) and the row and column means of g^2, which
 *       update R and C (or V for a vector);</li>
 *   <li>RMS of the unclipped update u = g / sqrt(R_i C_j / mean(R)) (u = g / sqrt(V));</li>
 *   <li>w = w (1 - weightDecay lr) - lr u / max(RMS(u) / clipThreshold, 1), through the first
 *       moment when there is one.</li>
 * </ol>
 */
final class AdafactorLoops {

    /** Per-thread scratch arrays, reused: conv weights need several MB of them, and garbage means GC pauses. */
    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private final Adafactor.Hyperparameters h;
    private final float beta1;

    AdafactorLoops(Adafactor.Hyperparameters h) {
        this.h = h;
        this.beta1 = h.beta1() == null ? Float.NaN : h.beta1().floatValue();
    }

    /**
     * The update of a tensor with two or more dimensions, {@code batches} matrices of
     * {@code rows x cols} in row-major order, its factored second moment in {@code row}
     * ({@code batches x rows}) and {@code column} ({@code batches x cols}).
     *
     * @param rho    the relative step size (or the learning rate in fixed mode)
     * @param expAvg the first moment, or null without beta1
     * @return the learning rate applied
     */
    double factored(double rho, double beta2t, FloatBuffer w, FloatBuffer g, FloatBuffer row, FloatBuffer column,
            FloatBuffer expAvg, int rows, int cols) {
        int n = w.capacity();
        int batches = n / (rows * cols);
        float beta2 = (float) beta2t;
        float oneMinusBeta2 = (float) (1 - beta2t);
        float eps1 = (float) h.eps1();
        // Flat loops throughout: conv LoRA weights [r, in, 1, 1] are r*in matrices of 1 x 1.
        Workspace workspace = WORKSPACE.get();
        double[] rowSums = workspace.rowSums(batches * rows);
        double[] columnSums = workspace.columnSums(batches * cols);
        double weightSquares = 0;

        // 1. RMS(w); R = beta2t R + (1-beta2t)(mean_j g^2 + eps1), C likewise over i; the factors.
        for (int r = 0; r < batches * rows; r++) {
            int columns = (r / rows) * cols;
            // two running sums each, so consecutive additions do not wait for one another
            double rowSum0 = 0;
            double rowSum1 = 0;
            double weights0 = 0;
            double weights1 = 0;
            int j = 0;
            for (int k = r * cols; j + 1 < cols; j += 2, k += 2) {
                double g0 = g.get(k);
                double g1 = g.get(k + 1);
                double w0 = w.get(k);
                double w1 = w.get(k + 1);
                rowSum0 += g0 * g0;
                rowSum1 += g1 * g1;
                columnSums[columns + j] += g0 * g0;
                columnSums[columns + j + 1] += g1 * g1;
                weights0 += w0 * w0;
                weights1 += w1 * w1;
            }
            if (j < cols) {
                int k = r * cols + j;
                double g0 = g.get(k);
                double w0 = w.get(k);
                rowSum0 += g0 * g0;
                columnSums[columns + j] += g0 * g0;
                weights0 += w0 * w0;
            }
            rowSums[r] = rowSum0 + rowSum1;
            weightSquares += weights0 + weights1;
        }
        double perColumn = 1.0 / cols;
        double perRow = 1.0 / rows;
        float[] rowFactor = workspace.rowFactor(batches * rows);
        for (int b = 0; b < batches; b++) {
            double rowMean = 0;
            for (int r = b * rows; r < (b + 1) * rows; r++) {
                float updated = beta2 * row.get(r) + oneMinusBeta2 * ((float) (rowSums[r] * perColumn) + eps1);
                row.put(r, updated);
                rowMean += updated;
            }
            rowMean *= perRow;
            for (int r = b * rows; r < (b + 1) * rows; r++) {
                rowFactor[r] = (float) Math.sqrt(rowMean / row.get(r));            // 1/sqrt(R_i / mean(R))
            }
        }
        float[] columnFactor = workspace.columnFactor(batches * cols);
        for (int c = 0; c < batches * cols; c++) {
            float updated = beta2 * column.get(c) + oneMinusBeta2 * ((float) (columnSums[c] * perRow) + eps1);
            column.put(c, updated);
            columnFactor[c] = (float) (1 / Math.sqrt(updated));                  // 1/sqrt(C_j)
        }
        double lr = learningRate(rho, weightSquares, n);

        // 2. RMS of u = g * rowFactor_i * columnFactor_j.
        double updateSquares = 0;
        for (int r = 0; r < batches * rows; r++) {
            float rf = rowFactor[r];
            int columns = (r / rows) * cols;
            double squares0 = 0;
            double squares1 = 0;
            int j = 0;
            for (int k = r * cols; j + 1 < cols; j += 2, k += 2) {
                double u0 = g.get(k) * rf * columnFactor[columns + j];
                double u1 = g.get(k + 1) * rf * columnFactor[columns + j + 1];
                squares0 += u0 * u0;
                squares1 += u1 * u1;
            }
            if (j < cols) {
                double u0 = g.get(r * cols + j) * rf * columnFactor[columns + j];
                squares0 += u0 * u0;
            }
            updateSquares += squares0 + squares1;
        }
        float scale = clippedScale(lr, updateSquares, n);

        // 3. Apply.
        float decay = (float) (1 - h.weightDecay() * lr);
        for (int r = 0; r < batches * rows; r++) {
            float rf = rowFactor[r] * scale;
            int columns = (r / rows) * cols;
            for (int j = 0, k = r * cols; j < cols; j++, k++) {
                apply(w, expAvg, k, decay, g.get(k) * rf * columnFactor[columns + j]);
            }
        }
        return lr;
    }

    /** The update of a vector, with its full second moment {@code v}. */
    double full(double rho, double beta2t, FloatBuffer w, FloatBuffer g, FloatBuffer v, FloatBuffer expAvg) {
        int n = w.capacity();
        float beta2 = (float) beta2t;
        float oneMinusBeta2 = (float) (1 - beta2t);
        float eps1 = (float) h.eps1();
        double weightSquares = 0;
        double updateSquares = 0;
        // 1 and 2 in one pass: V = beta2t V + (1-beta2t)(g^2 + eps1), u = g / sqrt(V).
        for (int k = 0; k < n; k++) {
            float gk = g.get(k);
            double wk = w.get(k);
            float vk = beta2 * v.get(k) + oneMinusBeta2 * (gk * gk + eps1);
            v.put(k, vk);
            double u = gk / Math.sqrt(vk);
            weightSquares += wk * wk;
            updateSquares += u * u;
        }
        double lr = learningRate(rho, weightSquares, n);
        float scale = clippedScale(lr, updateSquares, n);
        float decay = (float) (1 - h.weightDecay() * lr);
        for (int k = 0; k < n; k++) {
            apply(w, expAvg, k, decay, (float) (g.get(k) / Math.sqrt(v.get(k))) * scale);
        }
        return lr;
    }

    /** lr = rho * max(eps2, RMS(w)) when scaling by the parameter, else rho. */
    private double learningRate(double rho, double weightSquares, int n) {
        return h.scaleParameter() ? rho * Math.max(h.eps2(), Math.sqrt(weightSquares / n)) : rho;
    }

    /** lr / max(RMS(u) / clipThreshold, 1): update clipping and learning rate in one factor. */
    private float clippedScale(double lr, double updateSquares, int n) {
        return (float) (lr / Math.max(Math.sqrt(updateSquares / n) / h.clipThreshold(), 1));
    }

    /** w = w * decay - u, with u through the first moment m = beta1 m + (1-beta1) u when there is one. */
    private void apply(FloatBuffer w, FloatBuffer expAvg, int k, float decay, float u) {
        if (expAvg != null) {
            u = beta1 * expAvg.get(k) + (1 - beta1) * u;
            expAvg.put(k, u);
        }
        w.put(k, w.get(k) * decay - u);
    }

    /** Scratch arrays of at least the requested length, grown as needed; sums come back zeroed. */
    private static final class Workspace {
        private double[] rowSums = new double[0];
        private double[] columnSums = new double[0];
        private float[] rowFactor = new float[0];
        private float[] columnFactor = new float[0];

        double[] rowSums(int n) {
            rowSums = rowSums.length < n ? new double[n] : rowSums;
            return rowSums;
        }

        double[] columnSums(int n) {
            columnSums = columnSums.length < n ? new double[n] : columnSums;
            Arrays.fill(columnSums, 0, n, 0);
            return columnSums;
        }

        float[] rowFactor(int n) {
            rowFactor = rowFactor.length < n ? new float[n] : rowFactor;
            return rowFactor;
        }

        float[] columnFactor(int n) {
            columnFactor = columnFactor.length < n ? new float[n] : columnFactor;
            return columnFactor;
        }
    }
}
