package dev.lathe.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor's raw little-endian bytes with its dtype and shape. Read from a file, the bytes are a
 * read-only slice of the memory-mapped file: nothing is copied to the Java heap until a caller
 * asks for an array.
 */
public final class Tensor {

    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data;

    private Tensor(DType dtype, long[] shape, ByteBuffer data) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = shape.clone();
        long expected = Math.multiplyExact(elementCount(this.shape), dtype.size());
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("tensor of " + dtype + Arrays.toString(shape) + " needs "
                    + expected + " bytes, got " + data.remaining());
        }
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Wraps {@code data} (from its position to its limit) without copying. */
    public static Tensor of(DType dtype, long[] shape, ByteBuffer data) {
        return new Tensor(dtype, shape, data);
    }

    public static Tensor ofFloats(long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Tensor(DType.F32, shape, b);
    }

    /**
     * {@code values} stored as {@code dtype}: F32 as they are; F16 and BF16 rounded to nearest,
     * ties to even, as PyTorch's {@code .half()} and {@code .bfloat16()} round, in Java (BF16 never
     * reaches DJL, whose BF16 support crashes the JVM).
     *
     * @throws IllegalArgumentException for any other dtype
     */
    public static Tensor ofFloats(DType dtype, long[] shape, float[] values) {
        switch (dtype) {
            case F32:
                return ofFloats(shape, values);
            case F16:
            case BF16:
                ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    b.putShort(dtype == DType.F16 ? HalfFloats.f32ToF16(v) : HalfFloats.f32ToBf16(v));
                }
                return new Tensor(dtype, shape, b.flip());
            default:
                throw new IllegalArgumentException("floats can be stored as F32, F16 or BF16, not " + dtype);
        }
    }

    public static Tensor ofDoubles(long[] shape, double[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return new Tensor(DType.F64, shape, b);
    }

    public static Tensor ofLongs(long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new Tensor(DType.I64, shape, b);
    }

    /** A 0-dim float32 tensor, as kohya stores a LoRA module's {@code alpha}. */
    public static Tensor scalar(float value) {
        return ofFloats(new long[0], new float[] {value});
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return elementCount(shape);
    }

    public long byteSize() {
        return data.capacity();
    }

    /** The bytes, little-endian, as a read-only buffer positioned at 0 (a new view each call). */
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The values as float32, converting F64, F16, BF16 and the integer types in Java (so BF16
     * never reaches DJL, whose BF16 support crashes the JVM).
     */
    public float[] toFloatArray() {
        int n = Math.toIntExact(elementCount());
        float[] out = new float[n];
        ByteBuffer b = data();
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8); }
            case F16 -> { for (int i = 0; i < n; i++) out[i] = HalfFloats.f16ToF32(b.getShort(i * 2)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = HalfFloats.bf16ToF32(b.getShort(i * 2)); }
            case I64 -> { for (int i = 0; i < n; i++) out[i] = b.getLong(i * 8); }
            case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2); }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xFF; }
            case U16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2) & 0xFFFF; }
            case U32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4) & 0xFFFFFFFFL; }
            default -> throw new UnsupportedOperationException("no float conversion for " + dtype);
        }
        return out;
    }

    /** The values of an integer tensor as longs. */
    public long[] toLongArray() {
        int n = Math.toIntExact(elementCount());
        long[] out = new long[n];
        ByteBuffer b = data();
        switch (dtype) {
            case I64, U64 -> b.asLongBuffer().get(out);
            case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); }
            case U32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4) & 0xFFFFFFFFL; }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2); }
            case U16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2) & 0xFFFF; }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xFF; }
            default -> throw new UnsupportedOperationException("not an integer tensor: " + dtype);
        }
        return out;
    }

    /** The values as float64 (F64 exactly, others via {@link #toFloatArray()}). */
    public double[] toDoubleArray() {
        if (dtype == DType.F64) {
            double[] out = new double[Math.toIntExact(elementCount())];
            data().asDoubleBuffer().get(out);
            return out;
        }
        float[] f = toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** Same dtype, shape and bytes. */
    public boolean contentEquals(Tensor other) {
        return dtype == other.dtype && Arrays.equals(shape, other.shape) && data().equals(other.data());
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}
