package dev.lathe.nn;

import dev.lathe.safetensors.Tensor;
import dev.lathe.safetensors.TensorInfo;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A {@link WeightSource} whose tensors are other tensors under new names, optionally reshaped or
 * cut to a block of leading-dimension rows; all zero-copy (a row block of a row-major tensor is
 * one contiguous byte range of it).
 *
 * <p>Build it with {@link #builder(WeightSource)}: {@code rename} for diffusers names, {@code
 * reshape} for a Linear weight {@code [C, C]} stored where a 1x1 conv {@code [C, C, 1, 1]} is
 * expected, {@code rows} for OpenCLIP's fused {@code in_proj_weight} ({@code [3W, W]}, rows q, k, v).
 */
public final class RemappedSource implements WeightSource {

    /** Where a canonical name's data comes from. */
    private record Entry(String original, long[] shape, long rowFrom, long rowTo) {
    }

    private final WeightSource base;
    private final Map<String, Entry> entries;
    private final Map<String, TensorInfo> infos;
    private final Function<String, String> absentSpelling;

    private RemappedSource(WeightSource base, Map<String, Entry> entries, Function<String, String> absentSpelling) {
        this.base = base;
        this.entries = entries;
        this.absentSpelling = absentSpelling;
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        entries.forEach((name, e) -> {
            TensorInfo original = base.info(e.original);
            long rowBytes = rowBytes(original);
            long begin = original.begin() + e.rowFrom * rowBytes;
            long end = e.rowTo < 0 ? original.end() : original.begin() + e.rowTo * rowBytes;
            infos.put(name, new TensorInfo(name, original.dtype(), e.shape == null ? original.shape() : e.shape, begin, end));
        });
        this.infos = Collections.unmodifiableMap(infos);
    }

    public static Builder builder(WeightSource base) {
        return new Builder(base);
    }

    @Override
    public Map<String, TensorInfo> infos() {
        return infos;
    }

    @Override
    public Tensor tensor(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        TensorInfo view = infos.get(name);
        if (e.shape == null && e.rowTo < 0) {
            return base.tensor(e.original);
        }
        Tensor original = base.tensor(e.original);
        ByteBuffer data = original.data();
        TensorInfo info = base.info(e.original);
        long rowBytes = rowBytes(info);
        int from = Math.toIntExact(e.rowFrom * rowBytes);
        int to = e.rowTo < 0 ? data.limit() : Math.toIntExact(e.rowTo * rowBytes);
        return Tensor.of(view.dtype(), view.shape(), data.slice(from, to - from));
    }

    /** The range of the base source's tensor that {@code name} is, where the base stores it. */
    @Override
    public StoredRange storedAt(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        StoredRange original = base.storedAt(e.original);
        long offset = e.rowFrom * rowBytes(base.info(e.original));
        return new StoredRange(original.tensor(), original.byteOffset() + offset, infos.get(name).byteSize());
    }

    /**
     * The name in the base source that {@code name} reads (for a row block: the whole fused
     * tensor), or null when this view has no {@code name}.
     */
    public String originalOf(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.original;
    }

    @Override
    public String describe(String name) {
        Entry e = entries.get(name);
        if (e != null) {
            return base.describe(e.original) + (e.rowTo >= 0 ? " rows " + e.rowFrom + ".." + (e.rowTo - 1) : "");
        }
        String spelled = absentSpelling.apply(name);
        return spelled == null ? name : base.describe(spelled);
    }

    private static long rowBytes(TensorInfo info) {
        long[] shape = info.shape();
        if (shape.length == 0 || shape[0] == 0) {
            return info.byteSize();
        }
        return info.byteSize() / shape[0];
    }

    /** Collects the entries of a {@link RemappedSource}. */
    public static final class Builder {
        private final WeightSource base;
        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private Function<String, String> absentSpelling = name -> null;

        private Builder(WeightSource base) {
            this.base = Objects.requireNonNull(base);
        }

        /** {@code name} is {@code original} unchanged; ignored when {@code original} is absent. */
        public Builder rename(String name, String original) {
            if (base.info(original) != null) {
                entries.put(name, new Entry(original, null, 0, -1));
            }
            return this;
        }

        /**
         * {@code name} is {@code original} with a new shape of the same element count; when the
         * counts differ the tensor keeps its shape (and loading reports the mismatch).
         */
        public Builder reshape(String name, String original, long... shape) {
            TensorInfo info = base.info(original);
            if (info != null) {
                boolean same = Arrays.stream(shape).reduce(1, Math::multiplyExact) == info.elementCount();
                entries.put(name, new Entry(original, same ? shape.clone() : null, 0, -1));
            }
            return this;
        }

        /**
         * {@code name} is rows {@code [from, to)} of {@code original}'s first dimension; ignored
         * when {@code original} is absent or has fewer rows (loading then reports {@code name} missing).
         */
        public Builder rows(String name, String original, long from, long to) {
            TensorInfo info = base.info(original);
            if (info != null && info.rank() >= 1 && to <= info.shape()[0] && from >= 0 && from < to) {
                long[] shape = info.shape();
                shape[0] = to - from;
                entries.put(name, new Entry(original, shape, from, to));
            }
            return this;
        }

        /**
         * Every tensor below {@code originalPrefix} under the same name below {@code prefix}
         * (e.g. a diffusers {@code text_encoder/text_model.} as a single file's
         * {@code cond_stage_model.transformer.text_model.}); absent tensors below {@code prefix}
         * are spelled below {@code originalPrefix} in messages.
         */
        public Builder renamePrefix(String prefix, String originalPrefix) {
            for (String name : base.names()) {
                if (name.startsWith(originalPrefix)) {
                    rename(prefix + name.substring(originalPrefix.length()), name);
                }
            }
            Function<String, String> before = absentSpelling;
            absentSpelling = name -> name.startsWith(prefix) ? originalPrefix + name.substring(prefix.length())
                    : before.apply(name);
            return this;
        }

        /**
         * How to name an expected tensor that is absent, in the original layout (for messages
         * such as "missing unet/down_blocks.0.resnets.0.conv1.weight"); may return null. Replaces
         * the spellings of earlier {@link #renamePrefix} calls.
         */
        public Builder spellingOfAbsent(Function<String, String> spelling) {
            this.absentSpelling = Objects.requireNonNull(spelling);
            return this;
        }

        public RemappedSource build() {
            return new RemappedSource(base, new LinkedHashMap<>(entries), absentSpelling);
        }
    }
}
