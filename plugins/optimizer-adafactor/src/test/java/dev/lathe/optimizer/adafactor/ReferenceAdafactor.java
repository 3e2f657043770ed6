package dev.lathe.optimizer.adafactor;

import java.util.HashMap;
import java.util.Map;

/**
 * The Adafactor algorithm of transformers written out in plain Java doubles, one element at a
 * time (fixtures README §1 plus the {@code beta1} and weight-decay branches of the transformers
 * source), to check the options and tensor ranks the reference traces do not cover.
 */
final class ReferenceAdafactor {

    private final Adafactor.Hyperparameters h;
    private final double externalLr;
    private final Map<String, double[][]> state = new HashMap<>();
    private long t;

    ReferenceAdafactor(Adafactor.Hyperparameters h, double externalLr) {
        this.h = h;
        this.externalLr = externalLr;
    }

    void beginStep() {
        t++;
    }

    /** Updates {@code p} (shape {@code shape}) in place from {@code g}; returns the learning rate used. */
    double update(String name, long[] shape, double[] p, double[] g) {
        int n = p.length;
        boolean factored = shape.length >= 2;
        int cols = factored ? (int) shape[shape.length - 1] : n;
        int rows = factored ? (int) shape[shape.length - 2] : 1;
        int batches = n / (rows * cols);
        // [0] = row (batches*rows) or full (n), [1] = column (batches*cols), [2] = first moment (n)
        double[][] s = state.computeIfAbsent(name, k -> new double[][] {
            new double[factored ? batches * rows : n], new double[factored ? batches * cols : 0], new double[n]});

        double rel = h.relativeStep() ? Math.min(h.warmupInit() ? 1e-6 * t : 1e-2, 1 / Math.sqrt(t)) : externalLr;
        double lr = h.scaleParameter() ? Math.max(h.eps2(), rms(p)) * rel : rel;
        double beta2t = 1 - Math.pow(t, h.decayRate());

        double[] u = new double[n];
        if (factored) {
            for (int b = 0; b < batches; b++) {
                for (int i = 0; i < rows; i++) {
                    double sum = 0;
                    for (int j = 0; j < cols; j++) {
                        double x = g[(b * rows + i) * cols + j];
                        sum += x * x + h.eps1();
                    }
                    s[0][b * rows + i] = beta2t * s[0][b * rows + i] + (1 - beta2t) * sum / cols;
                }
                for (int j = 0; j < cols; j++) {
                    double sum = 0;
                    for (int i = 0; i < rows; i++) {
                        double x = g[(b * rows + i) * cols + j];
                        sum += x * x + h.eps1();
                    }
                    s[1][b * cols + j] = beta2t * s[1][b * cols + j] + (1 - beta2t) * sum / rows;
                }
                double rowMean = 0;
                for (int i = 0; i < rows; i++) {
                    rowMean += s[0][b * rows + i] / rows;
                }
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        int k = (b * rows + i) * cols + j;
                        u[k] = g[k] / Math.sqrt(s[0][b * rows + i] / rowMean * s[1][b * cols + j]);
                    }
                }
            }
        } else {
            for (int k = 0; k < n; k++) {
                s[0][k] = beta2t * s[0][k] + (1 - beta2t) * (g[k] * g[k] + h.eps1());
                u[k] = g[k] / Math.sqrt(s[0][k]);
            }
        }
        double divisor = Math.max(rms(u) / h.clipThreshold(), 1);
        for (int k = 0; k < n; k++) {
            u[k] = u[k] / divisor * lr;
            if (h.beta1() != null) {
                s[2][k] = h.beta1() * s[2][k] + (1 - h.beta1()) * u[k];
                u[k] = s[2][k];
            }
            p[k] = p[k] - h.weightDecay() * lr * p[k] - u[k];
        }
        return lr;
    }

    private static double rms(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v * v;
        }
        return Math.sqrt(sum / x.length);
    }
}
