package dev.lathe.safetensors;

import static dev.lathe.safetensors.TestFiles.assertSameMetadata;
import static dev.lathe.safetensors.TestFiles.assertSameTensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Writing then reading gives back the same tensors and metadata, laid out as the reference does. */
class SafeTensorsRoundTripTest {

    @TempDir
    Path temp;

    private final Random random = new Random(42);

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtypeRoundTrips(DType dtype) throws IOException {
        Map<String, Tensor> tensors = Map.of(
                "matrix", TestFiles.random(dtype, random, 3, 5),
                "vector", TestFiles.random(dtype, random, 7),
                "scalar", TestFiles.random(dtype, random));
        assertRoundTrip(tensors, Map.of("dtype", dtype.code()));
    }

    @Test
    void mixedDtypesRoundTrip() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (DType dtype : DType.values()) {
            tensors.put("t_" + dtype.code().toLowerCase(), TestFiles.random(dtype, random, 3));
        }
        assertRoundTrip(tensors, Map.of());
    }

    @Test
    void zeroDimTensorHoldsOneElement() throws IOException {
        Path file = write(Map.of("alpha", Tensor.scalar(8f)), Map.of());
        try (SafeTensorsFile in = SafeTensorsFile.open(file)) {
            Tensor alpha = in.tensor("alpha");
            assertEquals(0, alpha.shape().length);
            assertEquals(1, alpha.elementCount());
            assertArrayEquals(new float[] {8f}, alpha.toFloatArray());
        }
    }

    @Test
    void emptyTensorsTakeNoBytes() throws IOException {
        Map<String, Tensor> tensors = Map.of(
                "empty", TestFiles.random(DType.F32, random, 0, 4),
                "full", TestFiles.random(DType.F32, random, 2),
                "zero", TestFiles.random(DType.F16, random, 3, 0));
        assertRoundTrip(tensors, Map.of());
        try (SafeTensorsFile in = SafeTensorsFile.open(temp.resolve("t.safetensors"))) {
            assertEquals(0, in.tensors().get("empty").byteSize());
            assertEquals(8, in.fileSize() - in.dataOffset());
        }
    }

    @Test
    void emptyMetadataIsOmitted() throws IOException {
        Map<String, Tensor> tensors = Map.of("w", TestFiles.random(DType.F32, random, 2));
        for (Map<String, String> metadata : Arrays.asList(Map.<String, String>of(), null)) {
            Path file = write(tensors, metadata);
            assertFalse(headerText(file).contains("__metadata__"), headerText(file));
            assertTrue(SafeTensorsFile.readMetadata(file).isEmpty());
        }
    }

    @Test
    void unicodeNamesAndMetadataRoundTrip() throws IOException {
        Map<String, Tensor> tensors = Map.of(
                "lora_te_text_model_encoder_layers_0_mlp_fc1.alpha", Tensor.scalar(1f),
                "画像.重み", TestFiles.random(DType.F32, random, 2),
                "émoji 🎨 \"quoted\" back\\slash", TestFiles.random(DType.F32, random, 1));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("ss_output_name", "キャラクター");
        metadata.put("ss_tag_frequency", "{\"10_name\": {\"1girl\": 42, \"🎨\": 1}}");
        metadata.put("control", "line\nbreak\ttab\u0001\u007f end");
        metadata.put("", "empty key");
        metadata.put("empty value", "");
        assertRoundTrip(tensors, metadata);
    }

    @Test
    void metadataKeepsItsOrder() throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (String key : List.of("z", "ss_network_dim", "a", "ss_network_alpha", "m")) {
            metadata.put(key, key + " value");
        }
        Path file = write(Map.of("w", Tensor.scalar(1f)), metadata);
        assertEquals(List.copyOf(metadata.keySet()), List.copyOf(SafeTensorsFile.readMetadata(file).keySet()));
        assertTrue(headerText(file).startsWith("{\"__metadata__\":{\"z\":"), headerText(file));
    }

    @Test
    void headerIsCompactJsonPaddedWithSpacesToEightBytes() throws IOException {
        for (int nameLength = 1; nameLength <= 8; nameLength++) {
            Path file = write(Map.of("x".repeat(nameLength), Tensor.scalar(1f)), Map.of());
            String header = headerText(file);
            assertEquals(0, header.getBytes(StandardCharsets.UTF_8).length % 8, header);
            String json = header.stripTrailing();
            assertEquals("{\"" + "x".repeat(nameLength) + "\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", json);
            assertTrue(header.substring(json.length()).chars().allMatch(c -> c == ' '), header);
        }
    }

    /**
     * The reference orders the data by dtype alignment, largest first, then by name as Rust
     * compares strings (by code point, so U+1F3A8 after U+FFFF although UTF-16 puts it before).
     */
    @Test
    void dataIsOrderedByAlignmentThenCodePoint() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("b_half", TestFiles.random(DType.F16, random, 3));
        tensors.put("a_byte", TestFiles.random(DType.U8, random, 3));
        tensors.put("\uFFFF", TestFiles.random(DType.F32, random, 1));
        tensors.put("🎨", TestFiles.random(DType.F32, random, 1));
        tensors.put("é", TestFiles.random(DType.F32, random, 1));
        tensors.put("z", TestFiles.random(DType.F32, random, 1));
        tensors.put("c_long", TestFiles.random(DType.I64, random, 1));
        tensors.put("d_double", TestFiles.random(DType.F64, random, 1));
        List<String> expected = List.of("c_long", "d_double", "z", "é", "\uFFFF", "🎨", "b_half", "a_byte");
        try (SafeTensorsFile in = SafeTensorsFile.open(write(tensors, Map.of()))) {
            assertEquals(expected, List.copyOf(in.tensors().keySet()), "header order");
            assertEquals(expected, in.tensors().values().stream()
                    .sorted((x, y) -> Long.compare(x.begin(), y.begin())).map(TensorInfo::name).toList(), "data order");
            for (TensorInfo info : in.tensors().values()) {
                assertEquals(0, (in.dataOffset() + info.begin()) % info.dtype().size(), info + " is aligned");
            }
        }
    }

    @Test
    void readsEntriesListedInAnyOrder() throws IOException {
        Path file = TestFiles.raw(temp, "shuffled.safetensors",
                "{\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]},"
                        + "\"__metadata__\":{\"k\":\"v\"},"
                        + "\"a\":{\"dtype\":\"U8\",\"shape\":[2,2],\"data_offsets\":[0,4]}}", 8);
        try (SafeTensorsFile in = SafeTensorsFile.open(file)) {
            assertEquals(List.of("b", "a"), List.copyOf(in.tensors().keySet()), "header order is kept");
            assertArrayEquals(new long[] {0, 1, 2, 3}, in.tensor("a").toLongArray());
            assertArrayEquals(new long[] {4, 5, 6, 7}, in.tensor("b").toLongArray());
            assertEquals(Map.of("k", "v"), in.metadata());
        }
    }

    @Test
    void describesTheFile() throws IOException {
        Map<String, Tensor> tensors = Map.of(
                "a", TestFiles.random(DType.F32, random, 2, 3),
                "b", TestFiles.random(DType.BF16, random, 5),
                "c", Tensor.scalar(2f));
        Path file = write(tensors, Map.of("k", "v"));
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        try (SafeTensorsFile in = SafeTensorsFile.open(file)) {
            assertEquals(file, in.path());
            assertEquals(8 + headerLength, in.dataOffset());
            assertEquals(Files.size(file), in.fileSize());
            assertEquals(6 + 5 + 1, in.parameterCount());
            assertEquals(in.tensors(), SafeTensorsFile.readHeader(file));
            assertEquals(new TensorInfo("b", DType.BF16, new long[] {5}, in.tensors().get("b").begin(),
                    in.tensors().get("b").begin() + 10), in.info("b"));
        }
    }

    @Test
    void missingTensorNamesTheClosestOnes() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : List.of("lora_unet_mid_block_attentions_0_proj_in.alpha",
                "lora_unet_mid_block_attentions_0_proj_out.alpha", "lora_te_text_model_encoder_layers_0_mlp_fc1.alpha")) {
            tensors.put(name, Tensor.scalar(1f));
        }
        Path file = write(tensors, Map.of());
        try (SafeTensorsFile in = SafeTensorsFile.open(file)) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> in.tensor("lora_unet_mid_block_attentions_0_proj_in.alfa"));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("\"lora_unet_mid_block_attentions_0_proj_in.alfa\""), e.getMessage());
            assertTrue(e.getMessage().contains("[lora_unet_mid_block_attentions_0_proj_in.alpha, "
                    + "lora_unet_mid_block_attentions_0_proj_out.alpha"), e.getMessage());
        }
    }

    @Test
    void viewsOutliveTheFileButTheFileRefusesNewReads() throws IOException {
        Tensor written = TestFiles.random(DType.F32, random, 16);
        Path file = write(Map.of("w", written), Map.of());
        Tensor view;
        SafeTensorsFile in = SafeTensorsFile.open(file);
        try (in) {
            view = in.tensor("w");
            assertTrue(view.data().isDirect(), "a view of the mapping, not a heap copy");
            assertTrue(view.data().isReadOnly());
        }
        assertTrue(written.contentEquals(view));
        assertThrows(IllegalStateException.class, () -> in.tensor("w"));
    }

    private void assertRoundTrip(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Path file = write(tensors, metadata);
        try (SafeTensorsFile in = SafeTensorsFile.open(file)) {
            assertSameTensors(tensors, in);
            assertSameMetadata(metadata, in.metadata());
            Path again = temp.resolve("again.safetensors");
            SafeTensorsWriter.write(again, TestFiles.tensors(in), in.metadata());
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again), "rewriting what was read");
        }
    }

    private Path write(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Path file = temp.resolve("t.safetensors");
        SafeTensorsWriter.write(file, tensors, metadata);
        return file;
    }

    private static String headerText(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int length = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(bytes, 8, length, StandardCharsets.UTF_8);
    }
}
