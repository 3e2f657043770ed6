package dev.lathe.api.optim;

import dev.lathe.safetensors.Tensor;
import java.util.Map;

/**
 * A saved optimizer state: tensors (moments, factored second moments) by name and scalar values
 * (step count, optimizer id, options) as strings, so it fits a safetensors file with metadata.
 */
public record OptimizerState(Map<String, Tensor> tensors, Map<String, String> values) {
    public OptimizerState {
        tensors = Map.copyOf(tensors);
        values = Map.copyOf(values);
    }
}
