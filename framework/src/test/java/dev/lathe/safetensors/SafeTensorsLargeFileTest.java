package dev.lathe.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files beyond what one Java mapping can hold (2 GiB): the data section is mapped in windows cut
 * at tensor boundaries.
 */
class SafeTensorsLargeFileTest {

    private static final long GIB = 1L << 30;
    /** A fixed header size, so the offsets can be computed before the header is written. */
    private static final int HEADER_BYTES = 1024;
    private static final long DATA = 8 + HEADER_BYTES;

    @TempDir
    Path temp;

    /**
     * A sparse file of 4.5 GiB (no disk used): a tensor before, one across and one after the
     * 2 GiB mark (where fixed 2 GiB windows would split it), one bigger than a window, one too big
     * to map at all, and one after the 4 GiB mark.
     */
    @Test
    @Timeout(20)
    void readsTensorsAnywhereInAFileOverFourGigabytes() throws IOException {
        long straddle = 2 * GIB - DATA - 8; // data offset of the tensor spanning file bytes [2 GiB - 8, 2 GiB + 8)
        long huge = 5 * GIB / 2;
        Map<String, long[]> layout = new LinkedHashMap<>(); // name -> {begin, end}
        layout.put("a_first", new long[] {0, 16});
        layout.put("b_larger_than_a_window", new long[] {16, 16 + 3 * GIB / 2});
        layout.put("c_filler", new long[] {16 + 3 * GIB / 2, straddle});
        layout.put("d_across_2gib", new long[] {straddle, straddle + 16});
        layout.put("e_too_big_to_map", new long[] {straddle + 16, straddle + 16 + huge});
        layout.put("f_after_4gib", new long[] {straddle + 16 + huge, straddle + 32 + huge});
        Map<String, String> dtypes = Map.of("a_first", "F32", "d_across_2gib", "F32", "f_after_4gib", "F64");

        StringBuilder header = new StringBuilder("{");
        layout.forEach((name, range) -> {
            String dtype = dtypes.getOrDefault(name, "U8");
            long elements = (range[1] - range[0]) / DType.fromCode(dtype).orElseThrow().size();
            header.append(header.length() > 1 ? "," : "").append('"').append(name).append("\":{\"dtype\":\"")
                    .append(dtype).append("\",\"shape\":[").append(elements).append("],\"data_offsets\":[")
                    .append(range[0]).append(',').append(range[1]).append("]}");
        });
        header.append('}');
        long end = layout.get("f_after_4gib")[1];
        Path file = temp.resolve("huge.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(DATA + end);
            FileChannel channel = raf.getChannel();
            ByteBuffer start = ByteBuffer.allocate((int) DATA).order(ByteOrder.LITTLE_ENDIAN);
            start.putLong(HEADER_BYTES).put(header.toString().getBytes(StandardCharsets.UTF_8));
            while (start.hasRemaining()) {
                start.put((byte) ' ');
            }
            channel.write(start.flip(), 0);
            channel.write(floats(1f, 2f, 3f, 4f), DATA);
            channel.write(ByteBuffer.wrap(new byte[] {7}), DATA + 16);
            channel.write(ByteBuffer.wrap(new byte[] {9}), DATA + 16 + 3 * GIB / 2 - 1);
            channel.write(floats(-1.5f, 2.25f, 3e38f, 1e-40f), 2 * GIB - 8);
            channel.write(doubles(Math.PI, -Math.E), DATA + layout.get("f_after_4gib")[0]);
        }

        try (SafeTensorsFile in = SafeTensorsFile.open(file)) {
            assertTrue(in.fileSize() > 4 * GIB);
            assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, in.tensor("a_first").toFloatArray());
            ByteBuffer big = in.tensor("b_larger_than_a_window").data();
            assertEquals(7, big.get(0));
            assertEquals(0, big.get(big.limit() / 2));
            assertEquals(9, big.get(big.limit() - 1));
            assertArrayEquals(new float[] {-1.5f, 2.25f, 3e38f, 1e-40f}, in.tensor("d_across_2gib").toFloatArray());
            assertArrayEquals(new double[] {Math.PI, -Math.E}, in.tensor("f_after_4gib").toDoubleArray());
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> in.tensor("e_too_big_to_map"));
            assertTrue(e.getMessage().contains("e_too_big_to_map") && e.getMessage().contains("2 GiB"), e.getMessage());
        }
    }

    /** Tiny windows force many mappings; every tensor must still read exactly its own bytes. */
    @Test
    void everyTensorReadsItsBytesWhateverTheWindowSize() throws IOException {
        Random random = new Random(3);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        DType[] dtypes = DType.values();
        for (int i = 0; i < 40; i++) {
            DType dtype = dtypes[random.nextInt(dtypes.length)];
            tensors.put("t" + i, TestFiles.random(dtype, random, random.nextInt(i % 7 == 0 ? 1 : 40)));
        }
        Path file = temp.resolve("many.safetensors");
        SafeTensorsWriter.write(file, tensors, Map.of());
        for (long window : new long[] {1, 7, 64, 100, 1 << 20}) {
            try (SafeTensorsFile in = SafeTensorsFile.open(file, window); FileChannel raw = FileChannel.open(file)) {
                for (TensorInfo info : in.tensors().values()) {
                    ByteBuffer expected = ByteBuffer.allocate((int) info.byteSize());
                    raw.read(expected, in.dataOffset() + info.begin());
                    assertEquals(expected.flip(), in.tensor(info.name()).data(), info + " with windows of " + window);
                }
                TestFiles.assertSameTensors(tensors, in);
            }
        }
    }

    /** Windows are contiguous, cut at tensor boundaries, and no larger than asked unless one tensor is. */
    @Test
    void windowsAreCutAtTensorBoundaries() {
        Random random = new Random(5);
        List<TensorInfo> tensors = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < 200; i++) {
            long size = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(300);
            tensors.add(new TensorInfo("t" + i, DType.U8, new long[] {size}, offset, offset + size));
            offset += size;
        }
        long total = offset;
        for (long window : new long[] {1, 50, 256, 1000, Long.MAX_VALUE}) {
            List<long[]> windows = MappedWindows.plan(tensors, window);
            long covered = 0;
            for (long[] w : windows) {
                assertEquals(covered, w[0], "contiguous");
                assertTrue(w[1] > w[0], "not empty");
                boolean singleTensor = tensors.stream().anyMatch(t -> t.begin() == w[0] && t.end() == w[1]);
                assertTrue(w[1] - w[0] <= window || singleTensor, "within the window size");
                covered = w[1];
            }
            assertEquals(total, covered, "covers the data section");
            for (TensorInfo t : tensors) {
                long containing = windows.stream().filter(w -> w[0] <= t.begin() && t.end() <= w[1]).count();
                assertTrue(t.byteSize() == 0 || containing == 1, t + " lies in one window");
            }
        }
    }

    private static ByteBuffer floats(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer;
    }

    private static ByteBuffer doubles(double... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asDoubleBuffer().put(values);
        return buffer;
    }
}
