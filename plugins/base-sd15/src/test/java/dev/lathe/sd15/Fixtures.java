package dev.lathe.sd15;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.runtime.NDArrays;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

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
        try (SafeTensorsFile st = SafeTensorsFile.open(file)) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String name : st.tensors().keySet()) {
                Tensor t = st.tensor(name);
                java.nio.ByteBuffer copy = java.nio.ByteBuffer.allocate((int) t.byteSize());
                copy.put(t.data()).flip();
                out.put(name, Tensor.of(t.dtype(), t.shape(), copy));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> metadata(Path file) {
        try {
            return SafeTensorsFile.readMetadata(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        try (NDArray f = array.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }

    /**
     * Asserts {@code |actual − expected| ≤ atol + rtol·|expected|} elementwise, reporting the
     * worst element.
     */
    static void assertClose(String what, Tensor expected, float[] actual, double atol, double rtol) {
        float[] e = expected.toFloatArray();
        assertEquals(e.length, actual.length, what + ": element count");
        int bad = 0;
        int worst = -1;
        double worstExcess = 0;
        double maxAbs = 0;
        for (int i = 0; i < e.length; i++) {
            double diff = Math.abs((double) actual[i] - e[i]);
            maxAbs = Math.max(maxAbs, diff);
            double excess = diff - (atol + rtol * Math.abs(e[i]));
            if (!(excess <= 0)) {
                bad++;
                if (worst < 0 || excess > worstExcess || Double.isNaN(excess)) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + e.length + " elements outside atol " + atol + " + rtol " + rtol
                    + "·|expected|; worst at " + worst + ": expected " + e[worst] + ", got " + actual[worst]
                    + " (max |diff| " + maxAbs + ")");
        }
    }

    /** max |a − b| / max |b|. */
    static double relativeMaxError(float[] actual, float[] reference) {
        double diff = 0;
        double ref = 0;
        for (int i = 0; i < reference.length; i++) {
            diff = Math.max(diff, Math.abs((double) actual[i] - reference[i]));
            ref = Math.max(ref, Math.abs(reference[i]));
        }
        return diff / ref;
    }

    /**
     * The shared fixtures folder ({@code ../shared/fixtures}): from {@code -Dlathe.shared.dir}
     * (surefire sets it) or relative to the module. When it is missing, tests fail under
     * {@code CI=true} and are skipped otherwise.
     */
    static Path shared(String relative) {
        List<Path> candidates = new ArrayList<>();
        String property = System.getProperty("lathe.shared.dir");
        if (property != null && !property.isBlank()) {
            candidates.add(Path.of(property, "fixtures", relative));
        }
        candidates.add(Path.of("../../../shared/fixtures", relative));
        for (Path candidate : candidates) {
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        String problem = "The shared fixture " + relative + " is missing (looked at "
                + candidates.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList() + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(problem + ". CI=true requires it.");
        }
        Assumptions.abort(problem + "; skipping.");
        return null;
    }

    static String shape(long[] s) {
        return Arrays.toString(s);
    }
}
