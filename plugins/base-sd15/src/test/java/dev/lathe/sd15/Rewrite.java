package dev.lathe.sd15;

import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.Tensor;
import dev.lathe.testing.CheckpointRewrite;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;

/** Rewrites the tiny checkpoint in other dtypes and layouts (see {@link CheckpointRewrite}). */
final class Rewrite {

    private Rewrite() {
    }

    static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        CheckpointRewrite.write(file, tensors, metadata);
    }

    static Map<String, Tensor> converted(Map<String, Tensor> tensors, DType dtype) {
        return CheckpointRewrite.converted(tensors, dtype);
    }

    static Tensor convert(Tensor t, DType dtype) {
        return CheckpointRewrite.convert(t, dtype);
    }

    static Map<String, Tensor> widened(Map<String, Tensor> tensors) {
        return CheckpointRewrite.widened(tensors);
    }

    /** The first {@code rows} rows of the first dimension. */
    static Tensor firstRows(Tensor t, long rows) {
        return CheckpointRewrite.rows(t, 0, rows);
    }

    static Tensor reshaped(Tensor t, long... shape) {
        return CheckpointRewrite.reshaped(t, shape);
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
