package dev.lathe.sd15;

import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.HalfFloats;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Rewrites the tiny checkpoint in other dtypes and layouts, with the framework's writer. */
final class Rewrite {

    private Rewrite() {
    }

    static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        try {
            SafeTensorsWriter.write(file, tensors, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every F32 tensor converted to {@code dtype} (F16 or BF16, rounded to nearest even); others as they are. */
    static Map<String, Tensor> converted(Map<String, Tensor> tensors, DType dtype) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> out.put(name, t.dtype() == DType.F32 ? convert(t, dtype) : t));
        return out;
    }

    static Tensor convert(Tensor t, DType dtype) {
        float[] values = t.toFloatArray();
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putShort(dtype == DType.F16 ? HalfFloats.f32ToF16(v) : HalfFloats.f32ToBf16(v));
        }
        return Tensor.of(dtype, t.shape(), bytes.flip());
    }

    /** Half-precision tensors widened back to F32 exactly. */
    static Map<String, Tensor> widened(Map<String, Tensor> tensors) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> out.put(name,
                t.dtype() == DType.F16 || t.dtype() == DType.BF16 ? Tensor.ofFloats(t.shape(), t.toFloatArray()) : t));
        return out;
    }

    /** A tensor with the same leading rows dropped or the shape changed: {@code rows} of the first dimension. */
    static Tensor firstRows(Tensor t, long rows) {
        long[] shape = t.shape();
        long rowBytes = t.byteSize() / shape[0];
        shape[0] = rows;
        ByteBuffer data = t.data();
        return Tensor.of(t.dtype(), shape, data.slice(0, (int) (rows * rowBytes)));
    }

    static Tensor reshaped(Tensor t, long... shape) {
        return Tensor.of(t.dtype(), shape, t.data());
    }

    /** Rows stacked: {@code [a; b; c]} along the first dimension. */
    static Tensor concatRows(Tensor... parts) {
        long rows = 0;
        int bytes = 0;
        for (Tensor p : parts) {
            rows += p.shape()[0];
            bytes += (int) p.byteSize();
        }
        ByteBuffer out = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor p : parts) {
            out.put(p.data());
        }
        long[] shape = parts[0].shape();
        shape[0] = rows;
        return Tensor.of(parts[0].dtype(), shape, out.flip());
    }
}
