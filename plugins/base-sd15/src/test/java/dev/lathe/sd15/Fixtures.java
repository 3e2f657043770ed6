package dev.lathe.sd15;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.runtime.NDArrays;
import dev.lathe.safetensors.Tensor;
import dev.lathe.testing.CheckpointRewrite;
import dev.lathe.testing.SharedFolder;
import dev.lathe.testing.TensorAsserts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The sd15 fixtures copied into the test resources, the shared folder, and comparisons. */
final class Fixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    /** A file of {@code src/test/resources/sd15/}. */
    static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/sd15/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource sd15/" + name + " is missing", e);
        }
    }

    static Path tiny() {
        return resource("tiny.safetensors");
    }

    /** Every tensor of a resource file, read into the heap (fixtures are small). */
    static Map<String, Tensor> tensors(String file) {
        return tensors(resource(file));
    }

    static Map<String, Tensor> tensors(Path file) {
        return CheckpointRewrite.read(file);
    }

    static Map<String, String> metadata(Path file) {
        return CheckpointRewrite.metadata(file);
    }

    static NDArray array(NDManager manager, Tensor tensor) {
        return NDArrays.fromTensor(manager, tensor);
    }

    /** {@code tolerances.json → outputs}: key {@code "<file>:<tensor>"} → {atol, rtol}. */
    static Map<String, double[]> tolerances() {
        try {
            JsonNode outputs = JSON.readTree(resource("tolerances.json").toFile()).get("outputs");
            Map<String, double[]> out = new LinkedHashMap<>();
            outputs.fields().forEachRemaining(e -> out.put(e.getKey(), new double[] {
                e.getValue().get("suggested").get("atol").asDouble(), e.getValue().get("suggested").get("rtol").asDouble()}));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of {@code array}'s values as float32. */
    static float[] floats(NDArray array) {
        return TensorAsserts.floats(array);
    }

    /**
     * Asserts {@code |actual − expected| ≤ atol + rtol·|expected|} elementwise, reporting the
     * worst element.
     */
    static void assertClose(String what, Tensor expected, float[] actual, double atol, double rtol) {
        TensorAsserts.assertClose(what, expected, actual, atol, rtol);
    }

    /** max |a − b| / max |b|. */
    static double relativeMaxError(float[] actual, float[] reference) {
        return TensorAsserts.relativeMaxError(actual, reference);
    }

    /**
     * A file of the shared fixtures folder ({@code ../shared/fixtures}); when it is missing, tests
     * fail under {@code CI=true} and are skipped otherwise.
     */
    static Path shared(String relative) {
        return SharedFolder.fixture(relative);
    }

    static String shape(long[] s) {
        return Arrays.toString(s);
    }
}
