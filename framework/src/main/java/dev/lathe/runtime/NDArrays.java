package dev.lathe.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.HalfFloats;
import dev.lathe.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/**
 * Moves tensors between safetensors {@link Tensor}s and DJL {@link NDArray}s.
 *
 * <p><b>What DJL does with a buffer</b> (PyTorch engine 0.35.1, {@code PtNDManager.create(Buffer,
 * Shape, DataType)}): a direct {@link ByteBuffer} is handed to libtorch's {@code from_blob}
 * without copying, and on the CPU the array keeps a reference to the buffer for its lifetime;
 * any other buffer is first copied into a new direct buffer (Java direct memory, limited by
 * {@code -XX:MaxDirectMemorySize}). An array made from a memory-mapped tensor therefore reads the
 * file's pages directly. Its reference keeps the mapping alive, so closing the
 * {@link dev.lathe.safetensors.SafeTensorsFile} does not invalidate it (Java unmaps only when the
 * buffer is garbage), but the mapping is read-only: <em>writing into such an array in place
 * crashes the JVM with SIGSEGV</em>, verified. Hence two entry points:
 * <ul>
 * <li>{@link #fromTensor} returns an array that owns its memory, allocated by libtorch (neither
 *     Java heap nor direct memory): safe for in-place updates, independent of the file;
 * <li>{@link #readOnlyView} shares the mapped pages, for large frozen weights that are only ever
 *     read; the caller promises never to modify it.
 * </ul>
 *
 * <p><b>Types.</b> F32, F16, F64, I64, I32, I8, U8 and BOOL map to the DJL type of the same
 * width. BF16 is converted to F32 in Java: DJL's {@code BFLOAT16} (like {@code INT16} and the
 * wider unsigned types) aborts the JVM, so it is never handed to DJL, neither here nor as a
 * target type. The other safetensors dtypes have no safe DJL type and are refused.
 *
 * <p>Safetensors data is little-endian and libtorch reads memory in the platform's order; Lathe
 * runs on little-endian platforms only (x86-64, arm64).
 */
public final class NDArrays {

    private NDArrays() {
    }

    /**
     * {@code tensor} as an array of the matching DJL type (BF16 as FLOAT32) that owns its memory;
     * see the class description.
     */
    public static NDArray fromTensor(NDManager manager, Tensor tensor) {
        return fromTensor(manager, tensor, loadedType(tensor.dtype()));
    }

    /**
     * {@code tensor} converted to {@code target}, as an array that owns its memory. The bytes go
     * straight from the (mapped) tensor to libtorch, which copies or converts them; only BF16 and
     * heap tensors pass through a temporary direct buffer first.
     *
     * @throws IllegalArgumentException for a dtype or target type DJL cannot hold safely
     */
    public static NDArray fromTensor(NDManager manager, Tensor tensor, DataType target) {
        requireSafe(target);
        DataType loaded = loadedType(tensor.dtype());
        Shape shape = new Shape(tensor.shape());
        if (tensor.elementCount() == 0) {
            return manager.zeros(shape, target); // nothing to copy, and from_blob wants an address
        }
        try (NDArray shared = manager.create(directBytes(tensor), shape, loaded)) {
            // toType to the same type would return an alias of the shared memory, so copy explicitly.
            return target == loaded ? shared.duplicate() : shared.toType(target, false);
        }
    }

    /**
     * {@code tensor} as an array that shares the tensor's memory when it is direct (memory-mapped)
     * and of a type DJL can hold as is; otherwise the same as {@link #fromTensor(NDManager,
     * Tensor)}. Never modify the result in place: for a mapped tensor that crashes the JVM.
     */
    public static NDArray readOnlyView(NDManager manager, Tensor tensor) {
        DataType loaded = loadedType(tensor.dtype());
        if (tensor.dtype() == DType.BF16 || !tensor.data().isDirect() || tensor.elementCount() == 0) {
            return fromTensor(manager, tensor, loaded);
        }
        return manager.create(tensor.data(), new Shape(tensor.shape()), loaded);
    }

    /**
     * A heap copy of {@code array} as a tensor of {@code dtype} (F32, F16, BF16, F64, I64, I32,
     * I8, U8 or BOOL), converting with libtorch where the types differ; BF16 is rounded from F32 in
     * Java, to nearest, ties to even.
     */
    public static Tensor toTensor(NDArray array, DType dtype) {
        long[] shape = array.getShape().getShape();
        DataType via = dtype == DType.BF16 ? DataType.FLOAT32 : loadedType(dtype);
        NDArray converted = array.getDataType() == via ? array : array.toType(via, false);
        try {
            ByteBuffer bytes = converted.toByteBuffer().order(ByteOrder.nativeOrder()); // a heap copy
            return Tensor.of(dtype, shape, dtype == DType.BF16 ? f32ToBf16(bytes.asFloatBuffer()) : bytes);
        } finally {
            if (converted != array) {
                converted.close();
            }
        }
    }

    /** The DJL type {@code dtype} is loaded as: the same width, except BF16 which becomes FLOAT32. */
    public static DataType loadedType(DType dtype) {
        return switch (dtype) {
            case F32, BF16 -> DataType.FLOAT32;
            case F16 -> DataType.FLOAT16;
            case F64 -> DataType.FLOAT64;
            case I64 -> DataType.INT64;
            case I32 -> DataType.INT32;
            case I8 -> DataType.INT8;
            case U8 -> DataType.UINT8;
            case BOOL -> DataType.BOOLEAN;
            default -> throw new IllegalArgumentException(dtype + " tensors cannot be used with DJL: its "
                    + "16-bit, unsigned and 8-bit float types are missing or abort the JVM. Convert the file to "
                    + "F32, F16 or BF16.");
        };
    }

    private static void requireSafe(DataType target) {
        switch (target) {
            case FLOAT32, FLOAT16, FLOAT64, INT64, INT32, INT8, UINT8, BOOLEAN -> {
            }
            default -> throw new IllegalArgumentException("DJL type " + target + " is not used by Lathe: "
                    + "BFLOAT16, INT16 and the wider unsigned types abort the JVM; use FLOAT32 or FLOAT16.");
        }
    }

    /** The tensor's bytes in a direct buffer, converted to F32 for BF16. */
    private static ByteBuffer directBytes(Tensor tensor) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("Lathe needs a little-endian platform");
        }
        ByteBuffer data = tensor.data();
        if (tensor.dtype() == DType.BF16) {
            return bf16ToF32(data.asShortBuffer());
        }
        if (data.isDirect()) {
            return data;
        }
        return ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.LITTLE_ENDIAN).put(data).flip();
    }

    private static ByteBuffer bf16ToF32(ShortBuffer in) {
        ByteBuffer out = ByteBuffer.allocateDirect(Math.multiplyExact(in.remaining(), 4)).order(ByteOrder.nativeOrder());
        FloatBuffer floats = out.asFloatBuffer();
        for (int i = 0; i < in.limit(); i++) {
            floats.put(i, HalfFloats.bf16ToF32(in.get(i)));
        }
        return out;
    }

    private static ByteBuffer f32ToBf16(FloatBuffer in) {
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(in.remaining(), 2)).order(ByteOrder.LITTLE_ENDIAN);
        ShortBuffer shorts = out.asShortBuffer();
        for (int i = 0; i < in.limit(); i++) {
            shorts.put(i, HalfFloats.f32ToBf16(in.get(i)));
        }
        return out;
    }
}
