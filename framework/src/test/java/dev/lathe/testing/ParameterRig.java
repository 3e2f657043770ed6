package dev.lathe.testing;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lathe.api.optim.Parameter;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trainable parameters for optimizer tests: created from heap tensors in a chosen dtype, given
 * exact gradients through a real backward pass, read back as doubles.
 */
public final class ParameterRig implements AutoCloseable {

    private final NDManager manager = TensorRuntime.newManager(Device.cpu());
    private final DataType type;
    private final List<Parameter> parameters = new ArrayList<>();

    /** Parameters named and valued as {@code values} (in its order), stored as {@code type}. */
    public ParameterRig(Map<String, Tensor> values, DataType type) {
        this.type = type;
        values.forEach((name, tensor) -> {
            NDArray array = array(tensor);
            array.setRequiresGradient(true);
            parameters.add(new Parameter(name, array));
        });
    }

    /** A rig with the current values of {@code other}'s parameters, in the same dtype. */
    public static ParameterRig copyOf(ParameterRig other) {
        return new ParameterRig(other.values(), other.type);
    }

    public List<Parameter> parameters() {
        return List.copyOf(parameters);
    }

    public DataType type() {
        return type;
    }

    /**
     * Makes each parameter's gradient exactly {@code gradients.get(name)} (rounded to the rig's
     * dtype): clears it, then back-propagates {@code sum(p * g)}, whose gradient is {@code g}.
     */
    public void setGradients(Map<String, Tensor> gradients) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Parameter p : parameters) {
                NDArray gradient = p.value().getGradient();
                gradient.subi(gradient);
            }
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray loss = null;
                for (Parameter p : parameters) {
                    NDArray term = p.value().mul(array(gradients.get(p.name()))).sum();
                    loss = loss == null ? term : loss.add(term);
                }
                collector.backward(loss);
            }
        }
    }

    /** The current value of each parameter, as heap tensors (float64 for a float64 rig, else float32). */
    public Map<String, Tensor> values() {
        Map<String, Tensor> values = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            long[] shape = p.value().getShape().getShape();
            try (NDArray detached = p.value().stopGradient()) {
                if (type == DataType.FLOAT64) {
                    values.put(p.name(), Tensor.ofDoubles(shape, detached.toDoubleArray()));
                } else {
                    try (NDArray f32 = detached.toType(DataType.FLOAT32, true)) {
                        values.put(p.name(), Tensor.ofFloats(shape, f32.toFloatArray()));
                    }
                }
            }
        }
        return values;
    }

    /** Rounds every parameter to the nearest float16 value (ties to even), keeping its dtype. */
    public void roundToHalf() {
        for (Parameter p : parameters) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray detached = p.value().stopGradient();
                NDArray rounded = detached.toType(DataType.FLOAT16, true).toType(type, true);
                detached.set(new NDIndex("..."), rounded);
            }
        }
    }

    private NDArray array(Tensor tensor) {
        Shape shape = new Shape(tensor.shape());
        NDArray array = type == DataType.FLOAT64
                ? manager.create(tensor.toDoubleArray(), shape)
                : manager.create(tensor.toFloatArray(), shape);
        if (type == DataType.FLOAT16) {
            NDArray half = array.toType(DataType.FLOAT16, true);
            array.close();
            return half;
        }
        return array;
    }

    /** Native arrays alive in the rig's manager and its sub-managers (an optimizer's state included). */
    public int liveArrays() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        manager.close();
    }
}
