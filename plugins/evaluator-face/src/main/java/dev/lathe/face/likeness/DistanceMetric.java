package dev.lathe.face.likeness;

import java.util.Locale;

/** How far apart two face descriptors are. */
public enum DistanceMetric {

    /**
     * {@code sqrt(sum((a_i - b_i)^2))}: face-api's and dlib's measure; the same person is
     * conventionally below 0.6.
     */
    EUCLIDEAN,

    /**
     * {@code 1 - cos(a, b)}: ignores the descriptors' lengths. Its values are on another scale:
     * with descriptor norms near 1.45 (as here) it is about {@code d^2 / 4.2} for a Euclidean
     * distance d, so Euclidean 0.6 corresponds to cosine 0.086; thresholds must be chosen for it.
     */
    COSINE;

    /** Computed in double over the float32 values. */
    public double between(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("descriptors of length " + a.length + " and " + b.length);
        }
        if (this == EUCLIDEAN) {
            double sum = 0;
            for (int i = 0; i < a.length; i++) {
                double d = (double) a[i] - b[i];
                sum += d * d;
            }
            return Math.sqrt(sum);
        }
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        return 1 - dot / Math.sqrt(normA * normB);
    }

    /** The name used in options and reports: {@code euclidean}, {@code cosine}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DistanceMetric of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
