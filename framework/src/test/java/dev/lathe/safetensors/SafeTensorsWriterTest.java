package dev.lathe.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic replacement, and the data hash kohya-ss stores as {@code sshs_model_hash}. */
class SafeTensorsWriterTest {

    @TempDir
    Path temp;

    private final Random random = new Random(7);

    @Test
    void replacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
        Path target = temp.resolve("lora.safetensors");
        SafeTensorsWriter.write(target, Map.of("w", TestFiles.random(DType.F32, random, 8)), Map.of("epoch", "1"));
        Map<String, Tensor> second = Map.of("w", TestFiles.random(DType.F32, random, 8));
        SafeTensorsWriter.write(target, second, Map.of("epoch", "2"));
        try (SafeTensorsFile in = SafeTensorsFile.open(target)) {
            TestFiles.assertSameTensors(second, in);
            assertEquals(Map.of("epoch", "2"), in.metadata());
        }
        assertEquals(List.of(target), filesIn(temp));
    }

    /** Any byte range of the serialization, header and tensors of several dtypes included, is the file's. */
    @Test
    void serializedRangeIsThatPartOfTheFile() throws IOException {
        Map<String, Tensor> tensors = Map.of("a", TestFiles.random(DType.F16, random, 37),
                "b", TestFiles.random(DType.F32, random, 3, 5), "c", TestFiles.random(DType.I64, random, 4));
        Map<String, String> metadata = Map.of("ss_epoch", "3");
        Path file = temp.resolve("r.safetensors");
        SafeTensorsWriter.write(file, tensors, metadata);
        byte[] bytes = Files.readAllBytes(file);
        for (int[] range : new int[][] {{0, bytes.length}, {0, 8}, {5, 40}, {bytes.length - 100, 60},
                {bytes.length - 10, 64}, {bytes.length, 16}, {bytes.length + 5, 16}}) {
            int from = Math.min(range[0], bytes.length);
            int to = Math.min(range[0] + range[1], bytes.length);
            assertArrayEquals(java.util.Arrays.copyOfRange(bytes, from, to),
                    SafeTensorsWriter.serializedRange(tensors, metadata, range[0], range[1]),
                    "bytes " + range[0] + " + " + range[1]);
        }
    }

    /**
     * The source of a tensor fails while it is being copied (here: a memory-mapped checkpoint is
     * truncated by someone else, so the kernel cannot read the mapped pages).
     */
    @Test
    void failingSourceLeavesThePreviousFileIntact() throws IOException {
        Path target = temp.resolve("model.safetensors");
        SafeTensorsWriter.write(target, Map.of("w", TestFiles.random(DType.F32, random, 4)), Map.of());
        byte[] previous = Files.readAllBytes(target);

        Path source = temp.resolve("source.safetensors");
        SafeTensorsWriter.write(source, Map.of("big", TestFiles.random(DType.U8, random, 1 << 20)), Map.of());
        try (SafeTensorsFile in = SafeTensorsFile.open(source)) {
            Tensor big = in.tensor("big");
            try (FileChannel shrink = FileChannel.open(source, StandardOpenOption.WRITE)) {
                shrink.truncate(in.dataOffset());
            }
            assertThrows(IOException.class, () -> SafeTensorsWriter.write(target, Map.of("big", big), Map.of()));
        }
        assertArrayEquals(previous, Files.readAllBytes(target));
        assertEquals(List.of(target, source), filesIn(temp));
    }

    @Test
    void failingRenameLeavesNoTemporaryFile() throws IOException {
        Path target = temp.resolve("occupied.safetensors");
        Files.createDirectory(target);
        Files.writeString(target.resolve("keep.txt"), "keep");
        assertThrows(IOException.class,
                () -> SafeTensorsWriter.write(target, Map.of("w", Tensor.scalar(1f)), Map.of()));
        assertEquals(List.of(target), filesIn(temp));
        assertEquals("keep", Files.readString(target.resolve("keep.txt")));
    }

    @Test
    void dataHashIsTheHashOfTheBytesAfterTheHeader() throws IOException {
        Map<String, Tensor> tensors = Map.of(
                "lora_unet_a.lora_down.weight", TestFiles.random(DType.F16, random, 4, 32),
                "lora_unet_a.lora_up.weight", TestFiles.random(DType.F16, random, 32, 4),
                "lora_unet_a.alpha", TestFiles.random(DType.F16, random),
                "step", TestFiles.random(DType.I64, random));
        Path file = temp.resolve("lora.safetensors");
        SafeTensorsWriter.write(file, tensors, Map.of("ss_network_dim", "4"));

        byte[] bytes = Files.readAllBytes(file);
        int dataOffset = 8 + (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        MessageDigest sha = sha256();
        sha.update(bytes, dataOffset, bytes.length - dataOffset);
        String expected = HexFormat.of().formatHex(sha.digest());

        assertEquals(expected, SafeTensorsWriter.dataSha256(tensors));
        assertEquals(expected, SafeTensorsWriter.fileDataSha256(file));
    }

    @Test
    void dataHashIgnoresMetadataButNotData() throws IOException {
        Map<String, Tensor> tensors = Map.of("w", TestFiles.random(DType.F32, random, 3));
        Path a = temp.resolve("a.safetensors");
        Path b = temp.resolve("b.safetensors");
        SafeTensorsWriter.write(a, tensors, Map.of("ss_output_name", "a"));
        SafeTensorsWriter.write(b, tensors, Map.of("ss_output_name", "b", "more", "metadata"));
        assertEquals(SafeTensorsWriter.fileDataSha256(a), SafeTensorsWriter.fileDataSha256(b));
        assertNotEquals(SafeTensorsWriter.dataSha256(tensors),
                SafeTensorsWriter.dataSha256(Map.of("w", TestFiles.random(DType.F32, random, 3))));
    }

    @Test
    void dataHashOfNothingIsTheHashOfNoBytes() {
        assertEquals(HexFormat.of().formatHex(sha256().digest()), SafeTensorsWriter.dataSha256(Map.of()));
    }

    @Test
    void largeHeapTensorsAreWrittenInChunks() throws IOException {
        Tensor big = TestFiles.random(DType.F32, random, 3, 1 << 19); // 6 MiB, several chunks
        Path file = temp.resolve("big.safetensors");
        SafeTensorsWriter.write(file, Map.of("big", big), Map.of());
        try (SafeTensorsFile in = SafeTensorsFile.open(file)) {
            assertTrue(big.contentEquals(in.tensor("big")));
        }
    }

    /**
     * Deferred tensors give the same file as tensors at hand; each is made once, in data order,
     * only after the header is decided (so one computed tensor at a time need be held).
     */
    @Test
    void deferredTensorsAreMadeOneAtATimeInDataOrderAndGiveTheSameFile() throws IOException {
        Map<String, Tensor> tensors = new java.util.LinkedHashMap<>();
        tensors.put("b", TestFiles.random(DType.F16, random, 5, 3));
        tensors.put("a", TestFiles.random(DType.F32, random, 7));
        tensors.put("c", TestFiles.random(DType.F16, random, 2));
        Path direct = temp.resolve("direct.safetensors");
        SafeTensorsWriter.write(direct, tensors, Map.of("k", "v"));

        List<String> made = new java.util.ArrayList<>();
        Map<String, DeferredTensor> deferred = new java.util.LinkedHashMap<>();
        tensors.forEach((name, t) -> deferred.put(name, new DeferredTensor(t.dtype(), t.shape(), () -> {
            made.add(name);
            return t;
        })));
        Path streamed = temp.resolve("streamed.safetensors");
        SafeTensorsWriter.writeDeferred(streamed, deferred, Map.of("k", "v"));
        assertEquals(List.of("a", "b", "c"), made, "F32 first, then F16 by name; each once");
        assertArrayEquals(Files.readAllBytes(direct), Files.readAllBytes(streamed));
    }

    @Test
    void aDeferredTensorComputedWithAnotherShapeFailsAndLeavesNoFile() throws IOException {
        Path target = temp.resolve("model.safetensors");
        SafeTensorsWriter.write(target, Map.of("w", TestFiles.random(DType.F32, random, 4)), Map.of());
        byte[] previous = Files.readAllBytes(target);
        Tensor wrong = TestFiles.random(DType.F32, random, 5);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SafeTensorsWriter.writeDeferred(target,
                Map.of("w", new DeferredTensor(DType.F32, new long[] {4}, () -> wrong)), Map.of()));
        assertTrue(e.getMessage().contains("\"w\" was declared F32[4]"), e.getMessage());
        assertArrayEquals(previous, Files.readAllBytes(target));
        assertEquals(List.of(target), filesIn(temp));
    }

    @Test
    void refusesATensorNamedLikeTheMetadata() {
        assertThrows(IllegalArgumentException.class, () -> SafeTensorsWriter.write(temp.resolve("x.safetensors"),
                Map.of("__metadata__", Tensor.scalar(1f)), Map.of()));
        assertTrue(filesIn(temp).isEmpty());
    }

    private static List<Path> filesIn(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
