package dev.lathe.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.lathe.runtime.NDArrays;
import dev.lathe.safetensors.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The loading cursor blocks walk: {@code w.at("in_layers.0").get("weight", C)} reads
 * {@code <prefix>in_layers.0.weight} from the {@link WeightSource}, checks its shape, and returns
 * it as an array of the compute type in the model's manager.
 *
 * <p><b>Problems are collected, not thrown</b>: a missing tensor, one of another shape or a
 * non-float one is recorded and {@code null} is returned, so that one load reports every problem
 * of a checkpoint at once ({@link #problems()}); the caller then closes the manager and throws.
 *
 * <p><b>Memory</b>: an F32 tensor loaded as FLOAT32 on the CPU is a zero-copy view of the
 * memory-mapped file ({@link NDArrays#readOnlyView}; nothing passes through the Java heap, and the
 * array must never be written in place). Other combinations are converted by libtorch (F16 to
 * FLOAT32, F32 to FLOAT16) or, for BF16, in Java into direct memory ({@link NDArrays#fromTensor}),
 * and on a GPU manager copied to the device.
 *
 * <p>Every {@link AdaptableLayer} a block creates is registered here under its checkpoint key
 * ({@link #layers()}), which is how LoRA code finds its targets.
 */
public final class Weights {

    private final Root root;
    private final String prefix;
    private final DataType type;

    private static final class Root {
        final WeightSource source;
        final NDManager manager;
        /** One set of constants per compute type, shared by every cursor of that type. */
        final Map<DataType, Constants> constants = new java.util.EnumMap<>(DataType.class);
        final List<String> problems = new ArrayList<>();
        final Set<String> used = new HashSet<>();
        final Map<String, AdaptableLayer> layers = new LinkedHashMap<>();
        final Map<String, long[]> requested = new LinkedHashMap<>();
        /** false: only check names, shapes and dtypes ({@link #check}); nothing is loaded. */
        final boolean load;

        Root(WeightSource source, NDManager manager) {
            this.source = source;
            this.load = manager != null;
            this.manager = manager;
        }

        synchronized Constants constants(DataType type) {
            return constants.computeIfAbsent(type, t -> new Constants(manager, t));
        }
    }

    private Weights(Root root, String prefix, DataType type) {
        this.root = root;
        this.prefix = prefix;
        this.type = type;
    }

    /**
     * A cursor at the root of {@code source}, loading into {@code manager} (whose device the
     * weights go to) as {@code computeType} (FLOAT32, or FLOAT16 on a GPU).
     */
    public static Weights load(WeightSource source, NDManager manager, DataType computeType) {
        java.util.Objects.requireNonNull(manager, "manager");
        checkComputeType(computeType);
        return new Weights(new Root(source, manager), "", computeType);
    }

    private static void checkComputeType(DataType computeType) {
        if (computeType != DataType.FLOAT32 && computeType != DataType.FLOAT16) {
            throw new IllegalArgumentException("compute type must be FLOAT32 or FLOAT16, not " + computeType);
        }
    }

    /**
     * A cursor that checks {@code source} against the blocks built from it without loading
     * anything or touching the tensor engine: every {@link #get} returns null, problems are
     * recorded as when loading. For validating a checkpoint from its header alone.
     */
    public static Weights check(WeightSource source) {
        return new Weights(new Root(source, null), "", DataType.FLOAT32);
    }

    /** The cursor at {@code child} below this one: {@code at("in_layers.0")}. */
    public Weights at(String child) {
        return new Weights(root, prefix + child + ".", type);
    }

    /**
     * This cursor loading as {@code computeType} instead (FLOAT32 or FLOAT16): for a part that
     * must compute in another precision than the rest of the model, such as SDXL's VAE, which
     * overflows in float16 and is kept in float32. Problems, layers and used tensors stay shared.
     */
    public Weights as(DataType computeType) {
        checkComputeType(computeType);
        return new Weights(root, prefix, computeType);
    }

    /** The cursor at element {@code index} of a list below this one: {@code at("down", 2)}. */
    public Weights at(String child, int index) {
        return at(child + "." + index);
    }

    /** The full name of {@code name} below this cursor; {@code path("")} is this cursor's own path. */
    public String path(String name) {
        return name.isEmpty() ? (prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1)) : prefix + name;
    }

    /** Whether the source has {@code name} below this cursor. */
    public boolean has(String name) {
        return root.source.info(prefix + name) != null;
    }

    /**
     * Tensor {@code name} of exactly {@code shape}, loaded; null (with a recorded problem) when
     * it is missing, of another shape, or not floating point.
     */
    public NDArray get(String name, long... shape) {
        String key = prefix + name;
        root.requested.put(key, shape.clone());
        TensorInfo info = root.source.info(key);
        if (info == null) {
            root.problems.add("missing " + root.source.describe(key) + " " + Arrays.toString(shape));
            return null;
        }
        root.used.add(key);
        if (!Arrays.equals(info.shape(), shape)) {
            root.problems.add(root.source.describe(key) + " has shape " + Arrays.toString(info.shape())
                    + " where " + Arrays.toString(shape) + " is expected");
            return null;
        }
        if (!info.dtype().isFloatingPoint() || NDArraysSupport.unsupported(info.dtype())) {
            root.problems.add(root.source.describe(key) + " is " + info.dtype()
                    + " where a floating-point tensor (F32, F16 or BF16) is expected");
            return null;
        }
        if (!root.load || !root.problems.isEmpty()) {
            return null; // checking only, or the load fails anyway: do not spend time converting
        }
        boolean sameType = NDArrays.loadedType(info.dtype()) == type;
        NDArray array = sameType
                ? NDArrays.readOnlyView(root.manager, root.source.tensor(key))
                : NDArrays.fromTensor(root.manager, root.source.tensor(key), type);
        array.setName(key);
        return keep(array);
    }

    /**
     * Takes {@code array} (a weight, or a view of one made at load time) out of any open {@link
     * NDScope}: it belongs to the model's manager and lives until the model is closed, even when
     * a model is loaded inside a scope.
     */
    public static NDArray keep(NDArray array) {
        NDScope.unregister(array);
        return array;
    }

    /** Registers {@code layer} under its name (its checkpoint key prefix) and returns it. */
    public <L extends AdaptableLayer> L register(L layer) {
        root.layers.put(layer.name(), layer);
        return layer;
    }

    /** Constants (scalars, masks) for the blocks, in the weights' manager, type and device. */
    public Constants constants() {
        return root.constants(type);
    }

    /** The manager the weights are loaded into; null when only checking. */
    public NDManager manager() {
        return root.manager;
    }

    /** The weights' device; null when only checking. */
    public Device device() {
        return root.manager == null ? null : root.manager.getDevice();
    }

    /** The type this cursor loads weights as. */
    public DataType computeType() {
        return type;
    }

    /** Every problem recorded so far, in the order found. */
    public List<String> problems() {
        return Collections.unmodifiableList(root.problems);
    }

    /**
     * The problems as one sentence fragment for an error message: the first {@code limit}, then
     * how many more ("...; and 12 more").
     */
    public String problemSummary(int limit) {
        List<String> p = root.problems;
        StringBuilder s = new StringBuilder(String.join("; ", p.subList(0, Math.min(limit, p.size()))));
        if (p.size() > limit) {
            s.append("; and ").append(p.size() - limit).append(" more");
        }
        return s.toString();
    }

    /** Names of the source that no block read, in source order (extra buffers, foreign tensors). */
    public List<String> unused() {
        List<String> unused = new ArrayList<>();
        for (String name : root.source.names()) {
            if (!root.used.contains(name)) {
                unused.add(name);
            }
        }
        return unused;
    }

    /**
     * Every tensor the blocks asked for so far, with the shape they expect, in load order. Loading
     * blocks from an empty source ({@link #plan}) thus lists the complete key layout of an
     * architecture: for error messages, tests, and generating random checkpoints.
     */
    public Map<String, long[]> requested() {
        Map<String, long[]> copy = new LinkedHashMap<>();
        root.requested.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /**
     * A cursor over no tensors at all: blocks "loaded" from it get nulls and record every tensor
     * they need in {@link #requested()}, without touching the tensor engine.
     */
    public static Weights plan() {
        Map<String, TensorInfo> none = Map.of();
        return check(new WeightSource() {
            @Override
            public Map<String, TensorInfo> infos() {
                return none;
            }

            @Override
            public dev.lathe.safetensors.Tensor tensor(String name) {
                throw new IllegalArgumentException("no tensor " + name);
            }
        });
    }

    /** Every adaptable layer registered, by checkpoint key prefix, in load order. */
    public Map<String, AdaptableLayer> layers() {
        return Collections.unmodifiableMap(root.layers);
    }

    /** Which dtypes DJL cannot hold (see {@link NDArrays#loadedType}). */
    private static final class NDArraysSupport {
        static boolean unsupported(dev.lathe.safetensors.DType dtype) {
            try {
                NDArrays.loadedType(dtype);
                return false;
            } catch (IllegalArgumentException e) {
                return true;
            }
        }
    }
}
