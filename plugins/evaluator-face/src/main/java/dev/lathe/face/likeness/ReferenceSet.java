package dev.lathe.face.likeness;

import java.util.List;

/**
 * The descriptors of one subject's reference photos. A face is scored by its mean distance to
 * all of them, as face-api's {@code FaceMatcher} scores a label.
 */
public record ReferenceSet(List<float[]> descriptors) {

    public ReferenceSet {
        if (descriptors.isEmpty()) {
            throw new IllegalArgumentException("a reference set needs at least one descriptor");
        }
        descriptors = List.copyOf(descriptors);
    }

    /** The mean distance of {@code descriptor} to every reference. */
    public double meanDistance(float[] descriptor, DistanceMetric metric) {
        double sum = 0;
        for (float[] reference : descriptors) {
            sum += metric.between(reference, descriptor);
        }
        return sum / descriptors.size();
    }
}
