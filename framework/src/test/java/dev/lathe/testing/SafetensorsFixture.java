package dev.lathe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a small {@code .safetensors} fixture from the test classpath whole into the heap. Test
 * support only: no validation beyond what a fixture needs (the product has its own reader).
 */
public final class SafetensorsFixture {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsFixture() {
    }

    /** Every tensor of classpath resource {@code name}, by tensor name. */
    public static Map<String, Tensor> read(String name) {
        try (InputStream in = resource(name)) {
            byte[] bytes = in.readAllBytes();
            ByteBuffer file = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int headerLength = Math.toIntExact(file.getLong(0));
            JsonNode header = JSON.readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
            int dataStart = 8 + headerLength;
            Map<String, Tensor> tensors = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (entry.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode info = entry.getValue();
                DType dtype = DType.fromCode(info.get("dtype").asText()).orElseThrow();
                long[] shape = new long[info.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = info.get("shape").get(i).asLong();
                }
                int begin = dataStart + info.get("data_offsets").get(0).asInt();
                int end = dataStart + info.get("data_offsets").get(1).asInt();
                tensors.put(entry.getKey(), Tensor.of(dtype, shape, ByteBuffer.wrap(bytes, begin, end - begin)));
            }
            return tensors;
        } catch (IOException e) {
            throw new UncheckedIOException(name, e);
        }
    }

    /** A JSON fixture from the test classpath. */
    public static JsonNode readJson(String name) {
        try (InputStream in = resource(name)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(name, e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("test resource " + name + " is missing: copy it from "
                    + "../shared/fixtures into the module's src/test/resources");
        }
        return in;
    }
}
