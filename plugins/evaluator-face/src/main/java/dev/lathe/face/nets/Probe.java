package dev.lathe.face.nets;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sees the activations of a network's main stages as they are computed, in order, so tests can
 * compare them layer by layer with the reference. The array must not be modified, nor kept: it
 * may live in a workspace that is reused after the pass.
 */
@FunctionalInterface
public interface Probe {

    Probe NONE = (stage, activation) -> { };

    void record(String stage, INDArray activation);
}
