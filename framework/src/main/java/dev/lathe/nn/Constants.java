package dev.lathe.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Constant arrays the blocks need, created once per model in the model's manager (so on its
 * device and in its compute type) and kept alive with it.
 *
 * <p>Why not {@code x.mul(0.125f)}: DJL's {@code Number} overloads build a temporary scalar array
 * over a Java buffer and free it right away; under autograd the graph may still read it in
 * {@code backward()}, giving wrong gradients (PLATFORM.md). Scalars from here live as long as the
 * model. Arrays from here are shared: never modify them in place.
 *
 * <p>Blocks built only to check a checkpoint's layout ({@link Weights#check}) get constants
 * without a manager, whose methods return null and never touch the engine.
 */
public final class Constants {

    private final NDManager manager;
    private final DataType type;
    private final ConcurrentHashMap<String, NDArray> cache = new ConcurrentHashMap<>();

    Constants(NDManager manager, DataType type) {
        this.manager = manager;
        this.type = type;
    }

    /** A 0-dim array holding {@code value} in the compute type. */
    public NDArray scalar(float value) {
        if (manager == null) {
            return null;
        }
        return cache.computeIfAbsent("scalar:" + Float.floatToRawIntBits(value), k -> {
            try (NDArray created = manager.create(value)) {
                return owned(created);
            }
        });
    }

    /** Ones of length {@code n} (the neutral LayerNorm scale, used by {@link GroupNorm}). */
    public NDArray ones(long n) {
        if (manager == null) {
            return null;
        }
        return cache.computeIfAbsent("ones:" + n, k -> detached(manager.ones(new Shape(n), type)));
    }

    /** Zeros of length {@code n}. */
    public NDArray zeros(long n) {
        if (manager == null) {
            return null;
        }
        return cache.computeIfAbsent("zeros:" + n, k -> detached(manager.zeros(new Shape(n), type)));
    }

    /**
     * The additive causal mask {@code [n, n]}: 0 where key position ≤ query position, −∞ above
     * the diagonal.
     */
    public NDArray causalMask(long n) {
        if (manager == null) {
            return null;
        }
        return cache.computeIfAbsent("causal:" + n, k -> {
            float[] mask = new float[Math.toIntExact(n * n)];
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    mask[(int) (i * n + j)] = Float.NEGATIVE_INFINITY;
                }
            }
            try (NDArray created = manager.create(mask, new Shape(n, n))) {
                return owned(created);
            }
        });
    }

    /**
     * A copy of {@code created} (an array over a Java buffer) in libtorch's own memory and the
     * compute type. {@code toType} to the same type would return an alias of the Java buffer, which
     * the garbage collector frees once {@code created} is closed: {@code duplicate()} copies.
     */
    private NDArray owned(NDArray created) {
        NDArray copy = created.duplicate();
        if (copy.getDataType() != type) {
            NDArray converted = copy.toType(type, false);
            copy.close();
            copy = converted;
        }
        return detached(copy);
    }

    /**
     * Keeps a constant out of any {@link ai.djl.ndarray.NDScope} that happens to be open when it
     * is first created: it belongs to the model, not to the forward pass that asked for it.
     */
    private static NDArray detached(NDArray array) {
        ai.djl.ndarray.NDScope.unregister(array);
        return array;
    }
}
