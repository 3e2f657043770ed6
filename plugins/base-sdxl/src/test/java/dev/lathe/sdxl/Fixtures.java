package dev.lathe.sdxl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.SizeConditioning;
import dev.lathe.runtime.NDArrays;
import dev.lathe.safetensors.Tensor;
import dev.lathe.testing.CheckpointRewrite;
import dev.lathe.testing.SharedFolder;
import dev.lathe.testing.TensorAsserts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The sdxl fixtures copied into the test resources ({@code src/test/resources/sdxl/}), and their tolerances. */
final class Fixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/sdxl/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource sdxl/" + name + " is missing", e);
        }
    }

    static Path tiny() {
        return resource("tiny.safetensors");
    }

    static Map<String, Tensor> tensors(String file) {
        return CheckpointRewrite.read(resource(file));
    }

    static Map<String, String> metadata(String file) {
        return CheckpointRewrite.metadata(resource(file));
    }

    static NDArray array(NDManager manager, Tensor tensor) {
        return NDArrays.fromTensor(manager, tensor);
    }

    /** The tokenizer the fixture's token ids were made with: CLIP's vocabulary, from the shared folder (never copied). */
    static LoadOptions withSharedTokenizer() {
        return new LoadOptions("cpu", "float32", SharedFolder.fixture("sd15/vocab.json").getParent());
    }

    /** {@code "<file>:expected.<name>"} → the suggested absolute tolerance against the float32 reference. */
    static double tolerance(String key) {
        try {
            JsonNode entry = JSON.readTree(resource("tolerances.json").toFile()).get("per_output").get(key);
            if (entry == null) {
                throw new IllegalArgumentException("no tolerance for " + key);
            }
            return entry.get("suggested_atol_vs_expected").asDouble();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every expected output's key in tolerances.json. */
    static List<String> toleranceKeys() {
        try {
            List<String> keys = new ArrayList<>();
            JSON.readTree(resource("tolerances.json").toFile()).get("per_output").fieldNames().forEachRemaining(keys::add);
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts {@code actual} matches {@code file}'s {@code expected.<name>} within its tolerance. */
    static void assertMatches(String file, String name, float[] actual) {
        String key = file + ":expected." + name;
        TensorAsserts.assertClose(key, tensors(file).get("expected." + name), actual, tolerance(key), 0);
    }

    /** The size conditionings of a {@code text_io}-style file's inputs. */
    static List<SizeConditioning> sizes(Map<String, Tensor> io) {
        long[] original = io.get("input.original_size_as_tuple").toLongArray();
        long[] crop = io.get("input.crop_coords_top_left").toLongArray();
        long[] target = io.get("input.target_size_as_tuple").toLongArray();
        List<SizeConditioning> sizes = new ArrayList<>();
        for (int b = 0; b < original.length / 2; b++) {
            sizes.add(new SizeConditioning((int) original[2 * b], (int) original[2 * b + 1], (int) crop[2 * b],
                    (int) crop[2 * b + 1], (int) target[2 * b], (int) target[2 * b + 1]));
        }
        return sizes;
    }

    /** The {@code prompts} metadata of a {@code text_io}-style file. */
    static List<String> prompts(String file) {
        try {
            List<String> prompts = new ArrayList<>();
            JSON.readTree(metadata(file).get("prompts")).forEach(p -> prompts.add(p.asText()));
            return prompts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
