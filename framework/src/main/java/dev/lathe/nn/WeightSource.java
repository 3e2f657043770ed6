package dev.lathe.nn;

import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.Tensor;
import dev.lathe.safetensors.TensorInfo;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors a model is loaded from: a checkpoint file, or a view of one or several files
 * under the names the blocks expect.
 *
 * <p>Blocks are loaded by name ({@link Weights}), always under one canonical naming per model
 * family (for Stable Diffusion the single-file LDM names). Other layouts are presented under those
 * names by {@link RemappedSource}: a diffusers folder is renamed, an OpenCLIP text encoder's
 * fused {@code in_proj_weight} is cut into q/k/v row blocks. Every view is zero-copy: tensors
 * stay slices of the memory-mapped files.
 */
public interface WeightSource {

    /** Every tensor, by (canonical) name, in a stable order; unmodifiable. */
    Map<String, TensorInfo> infos();

    /** The tensor's bytes: a view of the mapped file, never a heap copy. */
    Tensor tensor(String name);

    /**
     * How to name {@code name} to the user: the name in the file it comes from (with the file's
     * component folder for a diffusers model), or for a tensor that is absent, the name it would
     * have there if that is known.
     */
    default String describe(String name) {
        return name;
    }

    /**
     * Where {@code name} is stored in the checkpoint's files (see {@link StoredRange}): for a
     * file's own tensors the tensor itself, for a view the range of the tensor it was cut from.
     *
     * @throws IllegalArgumentException when there is no tensor {@code name}
     */
    default StoredRange storedAt(String name) {
        TensorInfo info = info(name);
        if (info == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        return new StoredRange(name, 0, info.byteSize());
    }

    /** {@link #storedAt} of every tensor, by name; unmodifiable. Needs the headers only. */
    default Map<String, StoredRange> storedRanges() {
        Map<String, StoredRange> ranges = new LinkedHashMap<>();
        for (String name : names()) {
            ranges.put(name, storedAt(name));
        }
        return Collections.unmodifiableMap(ranges);
    }

    /** The tensor entry, or null when absent. */
    default TensorInfo info(String name) {
        return infos().get(name);
    }

    /** A single {@code .safetensors} file, names as they are. */
    static WeightSource of(SafeTensorsFile file) {
        return of(file, "");
    }

    /**
     * A single file whose tensors appear with {@code prefix} in front of their names (e.g. the
     * {@code unet/} of a diffusers folder), described to the user with that prefix too.
     */
    static WeightSource of(SafeTensorsFile file, String prefix) {
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        file.tensors().forEach((name, info) -> infos.put(prefix + name,
                new TensorInfo(prefix + name, info.dtype(), info.shape(), info.begin(), info.end())));
        Map<String, TensorInfo> view = Collections.unmodifiableMap(infos);
        return new WeightSource() {
            @Override
            public Map<String, TensorInfo> infos() {
                return view;
            }

            @Override
            public Tensor tensor(String name) {
                if (!name.startsWith(prefix)) {
                    throw new IllegalArgumentException("no tensor " + name);
                }
                return file.tensor(name.substring(prefix.length()));
            }

            @Override
            public String toString() {
                return file.path().toString();
            }
        };
    }

    /** Several sources as one; names must not collide (the first source wins if they do). */
    static WeightSource union(WeightSource... sources) {
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        Map<String, WeightSource> owner = new LinkedHashMap<>();
        for (WeightSource source : sources) {
            source.infos().forEach((name, info) -> {
                if (owner.putIfAbsent(name, source) == null) {
                    infos.put(name, info);
                }
            });
        }
        Map<String, TensorInfo> view = Collections.unmodifiableMap(infos);
        return new WeightSource() {
            @Override
            public Map<String, TensorInfo> infos() {
                return view;
            }

            @Override
            public Tensor tensor(String name) {
                WeightSource source = owner.get(name);
                if (source == null) {
                    throw new IllegalArgumentException("no tensor " + name);
                }
                return source.tensor(name);
            }

            @Override
            public StoredRange storedAt(String name) {
                WeightSource source = owner.get(name);
                if (source == null) {
                    throw new IllegalArgumentException("no tensor " + name);
                }
                return source.storedAt(name);
            }

            @Override
            public String describe(String name) {
                WeightSource source = owner.get(name);
                if (source != null) {
                    return source.describe(name);
                }
                for (WeightSource s : sources) {
                    String d = s.describe(name);
                    if (!d.equals(name)) {
                        return d;
                    }
                }
                return name;
            }
        };
    }

    /**
     * Tensor entries without data: for recognizing a checkpoint from its header alone, and for
     * building a model's blocks in {@link Weights#check} mode. Reading a tensor throws.
     */
    static WeightSource headerOnly(Map<String, TensorInfo> infos) {
        Map<String, TensorInfo> view = Collections.unmodifiableMap(new LinkedHashMap<>(infos));
        return new WeightSource() {
            @Override
            public Map<String, TensorInfo> infos() {
                return view;
            }

            @Override
            public Tensor tensor(String name) {
                throw new UnsupportedOperationException("only the header of " + name + " is known");
            }
        };
    }

    /** Names only, for code that needs the set of names. */
    default Set<String> names() {
        return infos().keySet();
    }
}
