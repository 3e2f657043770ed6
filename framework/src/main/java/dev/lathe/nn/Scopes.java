package dev.lathe.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;

/**
 * Frees a computation's temporaries as soon as it returns: {@code Scopes.run(() -> block(x))}
 * runs the block in its own {@link NDScope}, closes every array it created except the result, and
 * hands the result on to the enclosing scope (if any), so that nesting per block keeps the peak
 * memory of a forward pass near one block's temporaries plus the kept activations.
 *
 * <p>Closing an array releases only its Java handle: under autograd libtorch keeps what the
 * backward pass needs, so scoped forward passes can be differentiated.
 */
public final class Scopes {

    private Scopes() {
    }

    public static NDArray run(Supplier<NDArray> body) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            result = body.get();
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }

    /** As {@link #run}, for several results. */
    public static NDList runAll(Supplier<NDList> body) {
        NDList result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            result = body.get();
            NDScope.unregister(result);
        }
        result.forEach(NDScope::register);
        return result;
    }
}
