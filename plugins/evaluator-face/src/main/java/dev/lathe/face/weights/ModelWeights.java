package dev.lathe.face.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of one TensorFlow.js model: a {@code *-weights_manifest.json} and the {@code .bin}
 * files it names.
 *
 * <p>A manifest is a JSON array of groups {@code {paths: [bin files], weights: [{name, shape,
 * dtype, quantization?}]}}. The bytes of a group's files, concatenated, hold its tensors back to
 * back in manifest order without padding. An entry with {@code quantization.dtype == "uint8"}
 * takes one byte per element whatever its {@code dtype}, and a byte q stands for
 * {@code float32(q * scale + min)} computed in double (int32 entries: its {@code Math.round});
 * any other entry is 4-byte little-endian float32 or int32.
 */
public final class ModelWeights {

    /** Where the build puts the models inside the bundle (see the module's pom). */
    public static final String RESOURCE_FOLDER = "/dev/lathe/face/models/";

    /** Opens a weight file a manifest names (a path relative to the manifest). */
    @FunctionalInterface
    public interface FileSource {
        InputStream open(String path) throws IOException;
    }

    private final String model;
    private final Map<String, Tensor> tensors;

    private ModelWeights(String model, Map<String, Tensor> tensors) {
        this.model = model;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /**
     * Loads a model shipped in this bundle, e.g. {@code face_recognition_model}.
     *
     * @throws IllegalStateException when the bundle lacks it (a packaging error, not user input)
     */
    public static ModelWeights fromBundle(String model) {
        FileSource files = path -> {
            InputStream in = ModelWeights.class.getResourceAsStream(RESOURCE_FOLDER + path);
            if (in == null) {
                throw new IllegalStateException("The face evaluator bundle lacks " + RESOURCE_FOLDER + path
                        + "; it was built without the face-api model files.");
            }
            return in;
        };
        try (InputStream manifest = files.open(model + "-weights_manifest.json")) {
            return read(model, manifest, files);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the " + model + " weights from the bundle", e);
        }
    }

    /** Reads a manifest and the weight files it names. */
    public static ModelWeights read(String model, InputStream manifest, FileSource files) throws IOException {
        JsonNode groups = new ObjectMapper().readTree(manifest);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        long groupStart = 0;
        for (JsonNode group : groups) {
            ByteBuffer bytes = concatenate(group.get("paths"), files);
            for (JsonNode entry : group.get("weights")) {
                Tensor tensor = decode(entry, bytes, groupStart);
                if (tensors.put(tensor.name(), tensor) != null) {
                    throw new IOException(model + ": the manifest names " + tensor.name() + " twice");
                }
            }
            if (bytes.hasRemaining()) {
                throw new IOException(model + ": " + bytes.remaining() + " bytes after the last tensor of a group");
            }
            groupStart += bytes.capacity();
        }
        return new ModelWeights(model, tensors);
    }

    private static ByteBuffer concatenate(JsonNode paths, FileSource files) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (JsonNode path : paths) {
            try (InputStream in = files.open(path.asText())) {
                in.transferTo(all);
            }
        }
        return ByteBuffer.wrap(all.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static Tensor decode(JsonNode entry, ByteBuffer bytes, long groupStart) throws IOException {
        String name = entry.get("name").asText();
        int[] shape = new int[entry.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = entry.get("shape").get(i).asInt();
        }
        boolean int32 = "int32".equals(entry.get("dtype").asText());
        JsonNode quantization = entry.get("quantization");
        boolean uint8 = quantization != null && "uint8".equals(quantization.path("dtype").asText());
        if (quantization != null && !uint8) {
            throw new IOException(name + ": unsupported quantization " + quantization.path("dtype").asText());
        }
        int count = Tensor.count(shape);
        int byteLength = uint8 ? count : 4 * count;
        long offset = groupStart + bytes.position();
        if (bytes.remaining() < byteLength) {
            throw new IOException(name + ": needs " + byteLength + " bytes at " + offset + ", the weight files end first");
        }
        float[] values = new float[count];
        if (uint8) {
            double scale = quantization.get("scale").asDouble();
            double min = quantization.get("min").asDouble();
            for (int i = 0; i < count; i++) {
                double v = (bytes.get() & 0xff) * scale + min;
                values[i] = int32 ? Math.round(v) : (float) v;
            }
        } else {
            for (int i = 0; i < count; i++) {
                values[i] = int32 ? bytes.getInt() : bytes.getFloat();
            }
        }
        return new Tensor(name, shape, values, offset, byteLength);
    }

    /** The model's name, e.g. {@code face_recognition_model}. */
    public String model() {
        return model;
    }

    /** Every tensor, in manifest order. */
    public List<Tensor> tensors() {
        return new ArrayList<>(tensors.values());
    }

    /**
     * The tensor of that name.
     *
     * @throws IllegalArgumentException when the manifest has none (the network and its weights
     *         do not match)
     */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(model + " has no tensor " + name);
        }
        return t;
    }
}
