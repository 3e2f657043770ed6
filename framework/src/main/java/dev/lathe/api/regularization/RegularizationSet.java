package dev.lathe.api.regularization;

import java.util.List;

/**
 * Regularization images and the weight their loss carries (kohya's {@code prior_loss_weight}).
 * An empty set means the run trains on its dataset alone.
 */
public record RegularizationSet(List<RegularizationImage> images, double lossWeight) {

    public RegularizationSet {
        images = List.copyOf(images);
        if (!(lossWeight >= 0)) {
            throw new IllegalArgumentException("loss weight must be >= 0, got " + lossWeight);
        }
    }

    public static RegularizationSet none() {
        return new RegularizationSet(List.of(), 0.0);
    }

    public boolean isEmpty() {
        return images.isEmpty();
    }
}
