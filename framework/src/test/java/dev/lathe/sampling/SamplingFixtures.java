package dev.lathe.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sampler fixtures copied from {@code shared/fixtures/train} into the test resources
 * ({@code sampling/}), read into heap arrays, and the comparisons the tests share.
 *
 * <p>With the environment variable {@code LATHE_REPORT_ERRORS} set to a file name, the largest
 * relative error of every comparison (per run and dtype) is written there when the JVM exits —
 * how the numbers quoted in the test descriptions were measured.
 */
final class SamplingFixtures {

    private static final Map<String, Map<String, Tensor>> FILES = new HashMap<>();
    private static JsonNode json;

    /** The largest error per comparison and run, for {@code LATHE_REPORT_ERRORS}. */
    static final Map<String, Double> MAX = new ConcurrentHashMap<>();
    /** The run the current thread is checking, for {@code LATHE_REPORT_ERRORS}. */
    static final ThreadLocal<String> CURRENT = ThreadLocal.withInitial(() -> "");

    static {
        String report = System.getenv("LATHE_REPORT_ERRORS");
        if (report != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                StringBuilder text = new StringBuilder();
                new TreeMap<>(MAX).forEach((k, v) -> text.append(k).append(' ').append(v).append('\n'));
                try {
                    Files.writeString(Path.of(report), text);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
    }

    private SamplingFixtures() {
    }

    static Path resource(String name) {
        URL url = SamplingFixtures.class.getResource("/sampling/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test resource sampling/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every tensor of a fixture file, copied to the heap. */
    static synchronized Map<String, Tensor> load(String file) {
        return FILES.computeIfAbsent(file, f -> {
            Map<String, Tensor> out = new HashMap<>();
            try (SafeTensorsFile in = SafeTensorsFile.open(resource(f))) {
                for (String name : in.tensors().keySet()) {
                    Tensor mapped = in.tensor(name);
                    ByteBuffer copy = ByteBuffer.allocate((int) mapped.byteSize()).put(mapped.data()).flip();
                    out.put(name, Tensor.of(mapped.dtype(), mapped.shape(), copy));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        });
    }

    static synchronized JsonNode samplersJson() {
        if (json == null) {
            try {
                json = new ObjectMapper().readTree(resource("samplers.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return json;
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    static NDManager manager() {
        return TensorRuntime.newManager(Device.cpu());
    }

    /** Slice {@code index} of a stacked [n, 1, 4, 8, 8] tensor as a [1, 4, 8, 8] array of {@code type}. */
    static NDArray slice(NDManager manager, Tensor stacked, int index, DataType type) {
        long[] shape = stacked.shape();
        long[] inner = Arrays.copyOfRange(shape, 1, shape.length);
        int size = (int) new Shape(inner).size();
        double[] all = stacked.toDoubleArray();
        double[] part = Arrays.copyOfRange(all, index * size, (index + 1) * size);
        return array(manager, part, new Shape(inner), type);
    }

    static NDArray array(NDManager manager, Tensor tensor, DataType type) {
        return array(manager, tensor.toDoubleArray(), new Shape(tensor.shape()), type);
    }

    static NDArray array(NDManager manager, double[] values, Shape shape, DataType type) {
        NDArray f64 = manager.create(values, shape);
        if (type == DataType.FLOAT64) {
            return f64;
        }
        // Not toType(FLOAT64, true): DJL's PyTorch engine then returns an alias of this array's memory
        // (a Java direct buffer), which closing the original frees under the alias.
        try (f64) {
            return f64.toType(type, false);
        }
    }

    /** The part of a stacked tensor at {@code index}, as doubles. */
    static double[] part(Tensor stacked, int index) {
        long[] shape = stacked.shape();
        int size = (int) new Shape(Arrays.copyOfRange(shape, 1, shape.length)).size();
        return Arrays.copyOfRange(stacked.toDoubleArray(), index * size, (index + 1) * size);
    }

    static double[] values(NDArray array) {
        if (array.getDataType() == DataType.FLOAT64) {
            return array.toDoubleArray();
        }
        try (NDArray f64 = array.toType(DataType.FLOAT64, false)) {
            return f64.toDoubleArray();
        }
    }

    /** max |actual − expected| over max |expected|: the error relative to the tensor's scale. */
    static double relativeError(double[] actual, double[] expected) {
        assertEquals(expected.length, actual.length, "element count");
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return scale == 0 ? worst : worst / scale;
    }

    static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        double error = relativeError(actual, expected);
        if (System.getenv("LATHE_REPORT_ERRORS") != null) {
            MAX.merge(CURRENT.get() + " | " + what.replaceAll("\\[\\d+\\]", ""), error, Math::max);
        }
        assertTrue(error <= tolerance, what + ": relative error " + error + " > " + tolerance);
    }

    /** The analytic test denoiser D(x, σ) = x/(1 + σ²) + c·σ/(1 + σ²), in x's dtype. */
    static Denoiser analytic(NDArray c) {
        return (x, sigma) -> {
            double total = 1 + sigma * sigma;
            NDArray cc = c.getDataType() == x.getDataType() ? c : c.toType(x.getDataType(), false);
            try (NDArray scaled = cc.mul(sigma); NDArray second = scaled.div(total); NDArray first = x.div(total)) {
                return first.add(second);
            } finally {
                if (cc != c) {
                    cc.close();
                }
            }
        };
    }
}
