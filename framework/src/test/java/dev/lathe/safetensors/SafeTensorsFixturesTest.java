package dev.lathe.safetensors;

import static dev.lathe.safetensors.TestFiles.assertSameMetadata;
import static dev.lathe.safetensors.TestFiles.assertSameTensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Reads the real fixture files and writes them back unchanged. */
class SafeTensorsFixturesTest {

    @TempDir
    Path temp;

    @Test
    void bundledLoraRoundTrips() throws Exception {
        Path lora = resource("/safetensors/lora.safetensors");
        roundTrip(lora);
        // The fixture is laid out as the reference writes it (metadata first, name order, compact
        // JSON padded with spaces), so the copy is the same file byte for byte.
        assertArrayEquals(Files.readAllBytes(lora), Files.readAllBytes(temp.resolve(lora.getFileName())));
    }

    @TestFactory
    Stream<DynamicTest> everySharedFixtureRoundTrips() throws IOException {
        Path fixtures = SharedFixtures.fixtures();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(fixtures)) {
            files = walk.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no .safetensors files under " + fixtures);
        return files.stream().map(file -> DynamicTest.dynamicTest(fixtures.relativize(file).toString(),
                () -> roundTrip(file)));
    }

    @Test
    void tinySd15CheckpointHasAllItsTensors() throws IOException {
        try (SafeTensorsFile file = SafeTensorsFile.open(SharedFixtures.fixtures().resolve("sd15/tiny.safetensors"))) {
            assertEquals(381, file.tensors().size());
        }
    }

    /**
     * Reads {@code original}, checks the header against an independent parse, writes it to a
     * new file, and checks that the new file holds the same tensors and metadata, and that the
     * data hash is the one the writer predicts.
     */
    private void roundTrip(Path original) throws IOException {
        Path copy = temp.resolve(original.getFileName());
        try (SafeTensorsFile in = SafeTensorsFile.open(original)) {
            assertHeaderMatchesPlainJson(original, in);
            Map<String, Tensor> tensors = TestFiles.tensors(in);
            SafeTensorsWriter.write(copy, tensors, in.metadata());
            try (SafeTensorsFile out = SafeTensorsFile.open(copy)) {
                assertSameTensors(tensors, out);
                assertSameMetadata(in.metadata(), out.metadata());
                assertEquals(in.parameterCount(), out.parameterCount());
            }
            assertEquals(SafeTensorsWriter.dataSha256(tensors), SafeTensorsWriter.fileDataSha256(copy));
            if (tensors.values().stream().map(Tensor::dtype).distinct().count() == 1) {
                // One dtype: the reference layout is plain name order, as in the fixtures.
                assertEquals(SafeTensorsWriter.fileDataSha256(original), SafeTensorsWriter.fileDataSha256(copy),
                        "data section of the copy");
            }
        }
        try (SafeTensorsFile reread = SafeTensorsFile.open(copy); SafeTensorsFile in = SafeTensorsFile.open(original)) {
            assertSameTensors(TestFiles.tensors(reread), in);
        }
    }

    /** The header as plain Jackson reads it: same names in the same order, dtypes, shapes and offsets. */
    private static void assertHeaderMatchesPlainJson(Path path, SafeTensorsFile file) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        long length = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode root = new ObjectMapper().readTree(new String(bytes, 8, (int) length, StandardCharsets.UTF_8));
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(names::add);
        names.remove("__metadata__");
        assertEquals(names, List.copyOf(file.tensors().keySet()), "tensor names in header order");
        for (String name : names) {
            JsonNode entry = root.get(name);
            TensorInfo info = file.tensors().get(name);
            assertEquals(entry.get("dtype").asText(), info.dtype().code(), name);
            assertArrayEquals(longs(entry.get("shape")), info.shape(), name);
            assertArrayEquals(longs(entry.get("data_offsets")), new long[] {info.begin(), info.end()}, name);
        }
        assertEquals(8 + length, file.dataOffset());
        assertEquals(bytes.length, file.fileSize());
    }

    private static long[] longs(JsonNode array) {
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).longValue();
        }
        return values;
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(SafeTensorsFixturesTest.class.getResource(name).toURI());
    }
}
