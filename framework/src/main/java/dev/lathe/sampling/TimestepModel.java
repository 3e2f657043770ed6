package dev.lathe.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * The network of a discrete-time diffusion model (an SD UNet) as the samplers call it.
 */
@FunctionalInterface
public interface TimestepModel {

    /**
     * The network's prediction (ε or v, see {@link dev.lathe.train.diffusion.Prediction}) for the scaled input {@code xIn}
     * ([B, C, H, W]) at {@code timesteps} ([B], fractional; float64 when {@code xIn} is float64,
     * float32 otherwise) under {@code conditioning} (each array batched like {@code xIn}).
     * Returns a new array shaped like {@code xIn}.
     */
    NDArray predict(NDArray xIn, NDArray timesteps, NDList conditioning);
}
