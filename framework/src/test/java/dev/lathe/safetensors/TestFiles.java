package dev.lathe.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Builds safetensors files byte by byte (also malformed ones) and compares tensors. */
final class TestFiles {

    private TestFiles() {
    }

    /** A file of 8-byte length, {@code header} padded with spaces to a multiple of 8, and {@code dataBytes} bytes. */
    static Path raw(Path folder, String name, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer file = ByteBuffer.allocate(8 + padded + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(padded).put(json);
        while (file.position() < 8 + padded) {
            file.put((byte) ' ');
        }
        for (int i = 0; i < dataBytes; i++) {
            file.put((byte) i);
        }
        return bytes(folder, name, file.array());
    }

    static Path bytes(Path folder, String name, byte[] content) throws IOException {
        return Files.write(folder.resolve(name), content);
    }

    /** A tensor of {@code dtype} and {@code shape} filled with random bytes. */
    static Tensor random(DType dtype, Random random, long... shape) {
        byte[] bytes = new byte[Math.toIntExact(Tensor.elementCount(shape) * dtype.size())];
        random.nextBytes(bytes);
        return Tensor.of(dtype, shape, ByteBuffer.wrap(bytes));
    }

    static void assertSameTensors(Map<String, Tensor> expected, SafeTensorsFile actual) {
        assertEquals(expected.keySet(), actual.tensors().keySet(), "tensor names of " + actual.path());
        expected.forEach((name, tensor) -> assertTrue(tensor.contentEquals(actual.tensor(name)),
                () -> name + " differs in " + actual.path() + ": " + tensor + " vs " + actual.tensor(name)));
    }

    static void assertSameMetadata(Map<String, String> expected, Map<String, String> actual) {
        assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(actual.entrySet()), "metadata, in order");
    }

    /** Every tensor of an open file, as views. */
    static Map<String, Tensor> tensors(SafeTensorsFile file) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : file.tensors().keySet()) {
            tensors.put(name, file.tensor(name));
        }
        return tensors;
    }
}
