package dev.lathe.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HostLoopsTest {

    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = TensorRuntime.newManager(Device.cpu());
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void writesThroughTheMemoryReachTheArray() {
        NDArray a = manager.arange(0f, 6f).reshape(2, 3);
        FloatBuffer[] memory = HostLoops.memoryOf(a);
        assertNotNull(memory);
        for (int i = 0; i < 6; i++) {
            memory[0].put(i, memory[0].get(i) * 10);
        }
        assertArrayEquals(new float[] {0, 10, 20, 30, 40, 50}, a.toFloatArray());
    }

    @Test
    void arraysJavaCannotWriteInPlaceAreRefused() {
        NDArray matrix = manager.arange(0f, 6f).reshape(2, 3);
        try (NDArray transposed = matrix.transpose()) {
            assertNull(HostLoops.memoryOf(transposed), "a non-contiguous view");
        }
        assertNull(HostLoops.memoryOf(manager.ones(new Shape(3), DataType.FLOAT64)), "float64");
        assertNull(HostLoops.memoryOf(manager.ones(new Shape(3), DataType.FLOAT16)), "float16");
        assertNull(HostLoops.memoryOf(manager.ones(new Shape(0))), "empty");
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, matrix.toFloatArray(), "probing changed nothing");
    }

    @Test
    void forEachVisitsEveryIndexExactlyOnce() {
        int count = 1000;
        AtomicIntegerArray visits = new AtomicIntegerArray(count);
        for (int round = 0; round < 20; round++) {
            HostLoops.forEach(count, visits::incrementAndGet);
        }
        for (int i = 0; i < count; i++) {
            assertEquals(20, visits.get(i), "index " + i);
        }
    }

    @Test
    void forEachRethrowsAFailure() {
        IllegalArgumentException failure = new IllegalArgumentException("index 7");
        assertSame(failure, assertThrows(IllegalArgumentException.class, () -> HostLoops.forEach(100, i -> {
            if (i == 7) {
                throw failure;
            }
        })));
    }
}
