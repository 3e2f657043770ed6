package dev.lathe.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.HalfFloats;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Tensors to DJL arrays and back, with the values Java's own conversions give. */
class NDArraysTest {

    private static final long[] SHAPE = {3, 4};

    @TempDir
    Path temp;

    private final Random random = new Random(11);

    @Test
    void f32TensorBecomesAFloat32Array() {
        Tensor tensor = Tensor.ofFloats(SHAPE, values(12));
        try (NDManager manager = newManager()) {
            NDArray array = NDArrays.fromTensor(manager, tensor);
            assertEquals(DataType.FLOAT32, array.getDataType());
            assertEquals(new Shape(SHAPE), array.getShape());
            assertArrayEquals(tensor.toFloatArray(), array.toFloatArray());
        }
    }

    @Test
    void f16TensorBecomesAFloat16ArrayOrConvertedFloat32() {
        Tensor tensor = halves(SHAPE, values(12));
        try (NDManager manager = newManager()) {
            NDArray half = NDArrays.fromTensor(manager, tensor);
            assertEquals(DataType.FLOAT16, half.getDataType());
            assertArrayEquals(tensor.toFloatArray(), half.toType(DataType.FLOAT32, false).toFloatArray());
            NDArray single = NDArrays.fromTensor(manager, tensor, DataType.FLOAT32);
            assertEquals(DataType.FLOAT32, single.getDataType());
            assertArrayEquals(tensor.toFloatArray(), single.toFloatArray());
        }
    }

    /** BF16 never reaches DJL: it is widened in Java, bit for bit, special values included. */
    @Test
    void bf16TensorBecomesAFloat32Array() {
        float[] values = values(12);
        values[0] = Float.POSITIVE_INFINITY;
        values[1] = -0f;
        values[2] = 0x1p-130f; // float32 subnormal
        values[3] = Float.NaN;
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putShort(HalfFloats.f32ToBf16(v));
        }
        Tensor tensor = Tensor.of(DType.BF16, SHAPE, bytes.flip());
        try (NDManager manager = newManager()) {
            NDArray array = NDArrays.fromTensor(manager, tensor);
            assertEquals(DataType.FLOAT32, array.getDataType());
            assertArrayEquals(tensor.toFloatArray(), array.toFloatArray());
            assertEquals(DataType.FLOAT16, NDArrays.fromTensor(manager, tensor, DataType.FLOAT16).getDataType());
        }
    }

    /** An array from a mapped file owns its memory: it can be changed in place, the file cannot. */
    @Test
    void arraysFromAMappedFileOwnTheirMemory() throws IOException {
        Tensor written = Tensor.ofFloats(SHAPE, values(12));
        Path file = temp.resolve("w.safetensors");
        SafeTensorsWriter.write(file, Map.of("w", written), Map.of());
        byte[] before = Files.readAllBytes(file);
        try (SafeTensorsFile in = SafeTensorsFile.open(file); NDManager manager = newManager()) {
            Tensor mapped = in.tensor("w");
            assertTrue(mapped.data().isDirect());
            NDArray array = NDArrays.fromTensor(manager, mapped);
            array.addi(array);
            float[] doubled = written.toFloatArray();
            for (int i = 0; i < doubled.length; i++) {
                doubled[i] *= 2;
            }
            assertArrayEquals(doubled, array.toFloatArray());
            assertTrue(written.contentEquals(mapped), "the mapped tensor is unchanged");
            try (NDArray view = NDArrays.readOnlyView(manager, mapped)) {
                assertArrayEquals(written.toFloatArray(), view.toFloatArray());
            }
        }
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void mappedHalfTensorsConvertToo() throws IOException {
        Tensor half = halves(SHAPE, values(12));
        Path file = temp.resolve("h.safetensors");
        SafeTensorsWriter.write(file, Map.of("h", half), Map.of());
        try (SafeTensorsFile in = SafeTensorsFile.open(file); NDManager manager = newManager()) {
            assertArrayEquals(half.toFloatArray(),
                    NDArrays.fromTensor(manager, in.tensor("h"), DataType.FLOAT32).toFloatArray());
        }
    }

    /** Going back to F16 and BF16 rounds as HalfFloats does (libtorch and Java agree on ties too). */
    @Test
    void float32ArrayBecomesTensorsOfEachFloatType() {
        float[] values = values(12);
        values[0] = 1 + 0x1p-11f; // halfway between two halves: to even, 1
        values[1] = 1 + 3 * 0x1p-11f; // halfway again: to even, upwards
        values[2] = 1 + 0x1p-8f; // halfway between two bfloat16 values
        values[3] = 70000f; // beyond the largest half
        try (NDManager manager = newManager()) {
            NDArray array = manager.create(values, new Shape(SHAPE));
            Tensor f32 = NDArrays.toTensor(array, DType.F32);
            assertTrue(Tensor.ofFloats(SHAPE, values).contentEquals(f32));

            Tensor f16 = NDArrays.toTensor(array, DType.F16);
            assertTrue(halves(SHAPE, values).contentEquals(f16), "F16 as HalfFloats rounds");

            Tensor bf16 = NDArrays.toTensor(array, DType.BF16);
            ByteBuffer expected = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                expected.putShort(HalfFloats.f32ToBf16(v));
            }
            assertTrue(Tensor.of(DType.BF16, SHAPE, expected.flip()).contentEquals(bf16));

            double[] widened = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                widened[i] = values[i];
            }
            assertTrue(Tensor.ofDoubles(SHAPE, widened).contentEquals(NDArrays.toTensor(array, DType.F64)));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "F32", "F16", "I64", "I32", "I8", "U8"})
    void tensorsRoundTripThroughDjl(DType dtype) {
        byte[] bytes = new byte[12 * dtype.size()];
        random.nextBytes(bytes);
        if (dtype == DType.F16) {
            ByteBuffer halves = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 12; i++) {
                halves.putShort(i * 2, HalfFloats.f32ToF16(random.nextFloat())); // no NaN payloads
            }
        }
        if (dtype == DType.F64) {
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().put(random.doubles(12).toArray());
        }
        Tensor tensor = Tensor.of(dtype, SHAPE, ByteBuffer.wrap(bytes));
        try (NDManager manager = newManager()) {
            NDArray array = NDArrays.fromTensor(manager, tensor);
            assertEquals(NDArrays.loadedType(dtype), array.getDataType());
            assertTrue(tensor.contentEquals(NDArrays.toTensor(array, dtype)), dtype.toString());
        }
    }

    @Test
    void booleanTensorsRoundTrip() {
        byte[] flags = new byte[12];
        for (int i = 0; i < flags.length; i++) {
            flags[i] = (byte) random.nextInt(2);
        }
        Tensor tensor = Tensor.of(DType.BOOL, SHAPE, ByteBuffer.wrap(flags));
        try (NDManager manager = newManager()) {
            NDArray array = NDArrays.fromTensor(manager, tensor);
            assertEquals(DataType.BOOLEAN, array.getDataType());
            assertTrue(tensor.contentEquals(NDArrays.toTensor(array, DType.BOOL)));
        }
    }

    @Test
    void scalarsAndEmptyTensors() {
        try (NDManager manager = newManager()) {
            NDArray alpha = NDArrays.fromTensor(manager, Tensor.scalar(72f));
            assertEquals(new Shape(), alpha.getShape());
            assertEquals(72f, alpha.getFloat());
            assertTrue(Tensor.scalar(72f).contentEquals(NDArrays.toTensor(alpha, DType.F32)));

            Tensor empty = Tensor.ofFloats(new long[] {0, 3}, new float[0]);
            NDArray none = NDArrays.fromTensor(manager, empty);
            assertEquals(new Shape(0, 3), none.getShape());
            assertTrue(empty.contentEquals(NDArrays.toTensor(none, DType.F32)));
        }
    }

    /** Types that would abort the JVM in DJL are refused with an exception instead. */
    @Test
    void refusesTypesDjlCannotHold() {
        try (NDManager manager = newManager()) {
            Tensor f32 = Tensor.scalar(1f);
            assertThrows(IllegalArgumentException.class, () -> NDArrays.fromTensor(manager, f32, DataType.BFLOAT16));
            assertThrows(IllegalArgumentException.class, () -> NDArrays.fromTensor(manager, f32, DataType.INT16));
            Tensor i16 = Tensor.of(DType.I16, new long[] {2}, ByteBuffer.allocate(4));
            assertThrows(IllegalArgumentException.class, () -> NDArrays.fromTensor(manager, i16));
            NDArray array = manager.create(new float[] {1f});
            assertThrows(IllegalArgumentException.class, () -> NDArrays.toTensor(array, DType.U16));
        }
    }

    private static NDManager newManager() {
        return TensorRuntime.newManager(Device.cpu());
    }

    private float[] values(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian() * 3;
        }
        return values;
    }

    private static Tensor halves(long[] shape, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putShort(HalfFloats.f32ToF16(v));
        }
        return Tensor.of(DType.F16, shape, bytes.flip());
    }
}
