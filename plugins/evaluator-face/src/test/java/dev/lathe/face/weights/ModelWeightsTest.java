package dev.lathe.face.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.face.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bundled weight files and their dequantization, against {@code models.json}. */
class ModelWeightsTest {

    @Test
    void bundledFilesHaveTheFixtureChecksums() throws Exception {
        for (JsonNode model : Fixtures.json("models.json").get("models")) {
            assertEquals(model.get("manifestSha256").asText(), sha256(model.get("manifest").asText()), model.get("model").asText());
            for (JsonNode file : model.get("files")) {
                assertEquals(file.get("sha256").asText(), sha256(file.get("file").asText()), file.get("file").asText());
            }
        }
    }

    @Test
    void everyTensorDequantizesToTheFixtureValues() {
        for (JsonNode model : Fixtures.json("models.json").get("models")) {
            ModelWeights weights = ModelWeights.fromBundle(model.get("model").asText());
            List<Tensor> tensors = weights.tensors();
            JsonNode expected = model.get("tensors");
            assertEquals(expected.size(), tensors.size(), weights.model());
            for (int i = 0; i < tensors.size(); i++) {
                assertTensor(expected.get(i), tensors.get(i));
            }
        }
    }

    private static void assertTensor(JsonNode expected, Tensor tensor) {
        String name = tensor.name();
        assertEquals(expected.get("name").asText(), name);
        assertArrayEquals(Fixtures.doubles(expected.get("shape")), toDoubles(tensor.shape()), name);
        assertEquals(expected.get("byteOffset").asLong(), tensor.byteOffset(), name);
        assertEquals(expected.get("byteLength").asInt(), tensor.byteLength(), name);
        assertEquals(expected.get("count").asInt(), tensor.values().length, name);
        double sum = 0;
        double sumAbs = 0;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : tensor.values()) {
            sum += v;
            sumAbs += Math.abs(v);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        // sums depend on the order of addition; the values themselves must match exactly
        assertEquals(expected.get("sum").asDouble(), sum, 1e-9 * Math.max(1, expected.get("sumAbs").asDouble()), name);
        assertEquals(expected.get("sumAbs").asDouble(), sumAbs, 1e-9 * Math.max(1, expected.get("sumAbs").asDouble()), name);
        assertEquals((float) expected.get("min").asDouble(), min, name);
        assertEquals((float) expected.get("max").asDouble(), max, name);
        float[] first = Fixtures.floats(expected.get("first4"));
        for (int i = 0; i < first.length; i++) {
            assertEquals(first[i], tensor.values()[i], name + "[" + i + "]");
        }
        assertEquals((float) expected.get("last").asDouble(), tensor.values()[tensor.values().length - 1], name);
    }

    @Test
    void readsUint8AndFloatEntriesOfSeveralFiles() throws IOException {
        String manifest = """
                [{"paths": ["a.bin", "b.bin"], "weights": [
                  {"name": "q", "shape": [2], "dtype": "float32", "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1}},
                  {"name": "f", "shape": [], "dtype": "float32"},
                  {"name": "i", "shape": [1], "dtype": "int32", "quantization": {"dtype": "uint8", "scale": 0.3, "min": 0}}]}]
                """;
        byte[] a = {0, 3, 0};
        byte[] b = {0, (byte) 0xc0, 0x3f, 5}; // a continues: 1.5f = 0x3fc00000 little-endian, then q = 5
        ModelWeights weights = ModelWeights.read("test", stream(manifest.getBytes(StandardCharsets.UTF_8)),
                path -> stream(path.equals("a.bin") ? a : b));
        assertArrayEquals(new float[] {-1f, 0.5f}, weights.tensor("q").values());
        assertArrayEquals(new float[] {1.5f}, weights.tensor("f").values());
        assertArrayEquals(new float[] {2f}, weights.tensor("i").values()); // round(5 * 0.3)
        assertEquals(6, weights.tensor("i").byteOffset());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> weights.tensor("nope"));
        assertTrue(e.getMessage().contains("nope"));
    }

    @Test
    void aTruncatedWeightFileIsReported() {
        String manifest = "[{\"paths\": [\"a.bin\"], \"weights\": [{\"name\": \"w\", \"shape\": [3], \"dtype\": \"float32\"}]}]";
        IOException e = assertThrows(IOException.class, () -> ModelWeights.read("test",
                stream(manifest.getBytes(StandardCharsets.UTF_8)), path -> stream(new byte[8])));
        assertTrue(e.getMessage().contains("w: needs 12 bytes"), e.getMessage());
    }

    private static InputStream stream(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }

    private static double[] toDoubles(int[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = values[i];
        }
        return d;
    }

    private static String sha256(String file) throws Exception {
        try (InputStream in = ModelWeights.class.getResourceAsStream(ModelWeights.RESOURCE_FOLDER + file)) {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        }
    }
}
