package dev.lathe.api.optim;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * One trainable tensor. {@code value} requires gradient; after {@code backward()} its gradient is
 * {@code value.getGradient()}. Parameters may be float32 or float16.
 *
 * @param name  a stable name (the LoRA key), used to match saved optimizer state on resume
 * @param value the tensor, updated in place by {@link Optimizer#step()}
 */
public record Parameter(String name, NDArray value) {
    public Parameter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
