package dev.lathe.optim;

import dev.lathe.api.optim.Parameter;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.lathe.api.InvalidInputException;

/**
 * One parameter as an optimizer step sees it: value and gradient in the precision the update is
 * computed in ({@link #computeType}), the value writable in place. Open it, update
 * {@link #value()} in place, close it:
 *
 * <pre>{@code
 * try (ParameterView p = ParameterView.open(parameter)) {
 *     p.value().subi(update(p.gradient()));
 * }
 * }</pre>
 *
 * <p>A float32 or float64 parameter is updated directly through a detached view (libtorch's grad
 * mode is thread-local, and an in-place write to a leaf that requires grad throws on any thread
 * but the one that loaded the engine). A float16 parameter is copied to float32 for the update
 * and rounded back once on {@link #close()}, as PyTorch optimizers do for half parameters, so
 * small updates are not lost to float16 rounding of intermediate values.
 */
public final class ParameterView implements AutoCloseable {

    private final NDArray parameter;
    private final NDArray value;
    private final NDArray gradient;
    private final boolean copied;

    private ParameterView(NDArray parameter, NDArray value, NDArray gradient, boolean copied) {
        this.parameter = parameter;
        this.value = value;
        this.gradient = gradient;
        this.copied = copied;
    }

    /**
     * Opens {@code parameter} for an update from its current gradient.
     *
     * @throws IllegalStateException when the parameter does not require a gradient
     */
    public static ParameterView open(Parameter parameter) {
        NDArray array = parameter.value();
        if (!array.hasGradient()) {
            throw new IllegalStateException("parameter " + parameter.name() + " does not require a gradient");
        }
        DataType type = array.getDataType();
        DataType compute = computeType(type, parameter.name());
        NDArray detached = array.stopGradient();
        NDArray gradient = array.getGradient();
        if (compute == type) {
            return new ParameterView(array, detached, gradient, false);
        }
        try (detached; gradient) {
            return new ParameterView(array, detached.toType(compute, true), gradient.toType(compute, true), true);
        }
    }

    /**
     * The precision an optimizer computes updates and keeps its state in for a parameter of
     * {@code parameterType}: float64 for float64 (reference runs), float32 for everything else.
     *
     * @throws InvalidInputException for a type no optimizer can train (integers, bool)
     */
    public static DataType computeType(DataType parameterType, String parameterName) {
        return switch (parameterType) {
            case FLOAT64 -> DataType.FLOAT64;
            case FLOAT32, FLOAT16 -> DataType.FLOAT32;
            default -> throw new InvalidInputException("Parameter " + parameterName + " is " + parameterType
                    + "; only float32, float16 and float64 parameters can be trained.");
        };
    }

    /** The value, in {@link #computeType}; write the update into it in place. */
    public NDArray value() {
        return value;
    }

    /** The gradient, in {@link #computeType}; read only. */
    public NDArray gradient() {
        return gradient;
    }

    /** Writes a float32 working copy back into the float16 parameter (one rounding) and frees the views. */
    @Override
    public void close() {
        try (value; gradient) {
            if (copied) {
                // index_put_ needs equal dtypes: round first (to nearest even, like Tensor.copy_).
                try (NDArray rounded = value.toType(parameter.getDataType(), true);
                        NDArray target = parameter.stopGradient()) {
                    target.set(new NDIndex("..."), rounded);
                }
            }
        }
    }
}
