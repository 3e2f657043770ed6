package dev.lathe.testing;

import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.HalfFloats;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads checkpoints into the heap and writes them back in other dtypes and layouts, for tests of loaders. */
public final class CheckpointRewrite {

    private CheckpointRewrite() {
    }

    /** Every tensor of {@code file}, copied into the heap (for small fixture checkpoints), in file order. */
    public static Map<String, Tensor> read(Path file) {
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String name : st.tensors().keySet()) {
                Tensor t = st.tensor(name);
                ByteBuffer copy = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
                copy.put(t.data()).flip();
                out.put(name, Tensor.of(t.dtype(), t.shape(), copy));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, String> metadata(Path file) {
        try {
            return SafeTensorsFile.readMetadata(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        try {
            SafeTensorsWriter.write(file, tensors, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every F32 tensor converted to {@code dtype} (F16 or BF16, rounded to nearest even); others as they are. */
    public static Map<String, Tensor> converted(Map<String, Tensor> tensors, DType dtype) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> out.put(name, t.dtype() == DType.F32 ? convert(t, dtype) : t));
        return out;
    }

    public static Tensor convert(Tensor t, DType dtype) {
        float[] values = t.toFloatArray();
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putShort(dtype == DType.F16 ? HalfFloats.f32ToF16(v) : HalfFloats.f32ToBf16(v));
        }
        return Tensor.of(dtype, t.shape(), bytes.flip());
    }

    /** Half-precision tensors widened back to F32 exactly. */
    public static Map<String, Tensor> widened(Map<String, Tensor> tensors) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> out.put(name,
                t.dtype() == DType.F16 || t.dtype() == DType.BF16 ? Tensor.ofFloats(t.shape(), t.toFloatArray()) : t));
        return out;
    }

    /** {@code t} with another shape of the same element count (same bytes). */
    public static Tensor reshaped(Tensor t, long... shape) {
        return Tensor.of(t.dtype(), shape, t.data());
    }

    /** Rows {@code [from, to)} of the first dimension. */
    public static Tensor rows(Tensor t, long from, long to) {
        long[] shape = t.shape();
        long rowBytes = t.byteSize() / shape[0];
        shape[0] = to - from;
        return Tensor.of(t.dtype(), shape, t.data().slice((int) (from * rowBytes), (int) ((to - from) * rowBytes)));
    }

    /** A 2-D F32 tensor transposed. */
    public static Tensor transposed(Tensor t) {
        long[] s = t.shape();
        float[] in = t.toFloatArray();
        float[] out = new float[in.length];
        int rows = (int) s[0];
        int cols = (int) s[1];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[j * rows + i] = in[i * cols + j];
            }
        }
        return Tensor.ofFloats(new long[] {cols, rows}, out);
    }
}
