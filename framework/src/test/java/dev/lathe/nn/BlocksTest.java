package dev.lathe.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.HalfFloats;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layers and functional ops against straightforward Java reference computations. */
class BlocksTest {

    @TempDir
    Path temp;

    private final Random random = new Random(7);
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = TensorRuntime.newManager(Device.cpu());
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    /** A source over in-memory tensors, written to a file so loading maps it like a checkpoint. */
    private WeightSource source(Map<String, Tensor> tensors) throws IOException {
        Path file = temp.resolve("w" + random.nextInt(1_000_000) + ".safetensors");
        SafeTensorsWriter.write(file, tensors, Map.of());
        return WeightSource.of(SafeTensorsFile.open(file));
    }

    private static void assertClose(double[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, "element " + i);
        }
    }

    @Test
    void groupNormMatchesTheDefinition() throws IOException {
        int b = 2;
        int c = 64;
        int hw = 15;
        float[] x = values(b * c * hw);
        float[] w = values(c);
        float[] bias = values(c);
        Weights weights = Weights.load(source(Map.of("norm.weight", Tensor.ofFloats(new long[] {c}, w),
                "norm.bias", Tensor.ofFloats(new long[] {c}, bias))), manager, DataType.FLOAT32);
        GroupNorm norm = GroupNorm.load32(weights.at("norm"), c, 1e-6f);
        assertTrue(weights.problems().isEmpty(), weights.problems().toString());
        float[] actual = norm.forward(manager.create(x, new Shape(b, c, 3, 5))).toFloatArray();
        double[] expected = new double[x.length];
        int per = c / 32 * hw;
        for (int n = 0; n < b; n++) {
            for (int g = 0; g < 32; g++) {
                int start = (n * 32 + g) * per;
                double mean = 0;
                for (int i = 0; i < per; i++) {
                    mean += x[start + i];
                }
                mean /= per;
                double var = 0;
                for (int i = 0; i < per; i++) {
                    var += (x[start + i] - mean) * (x[start + i] - mean);
                }
                var /= per;
                for (int i = 0; i < per; i++) {
                    int channel = (start + i) / hw % c;
                    expected[start + i] = (x[start + i] - mean) / Math.sqrt(var + 1e-6) * w[channel] + bias[channel];
                }
            }
        }
        assertClose(expected, actual, 1e-4);
    }

    @Test
    void attentionMatchesTheDefinition() {
        int b = 2;
        int n = 5;
        int m = 7;
        int heads = 2;
        int d = 3;
        int c = heads * d;
        float[] q = values(b * n * c);
        float[] k = values(b * m * c);
        float[] v = values(b * m * c);
        float[] mask = new float[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                mask[i * m + j] = j > i + 1 ? Float.NEGATIVE_INFINITY : 0f;
            }
        }
        float scale = (float) (1 / Math.sqrt(d));
        NDArray out = Functional.attention(manager.create(q, new Shape(b, n, c)), manager.create(k, new Shape(b, m, c)),
                manager.create(v, new Shape(b, m, c)), heads, manager.create(scale), manager.create(mask, new Shape(n, m)));
        assertEquals(new Shape(b, n, c), out.getShape());
        double[] expected = new double[b * n * c];
        for (int bb = 0; bb < b; bb++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < n; i++) {
                    double[] s = new double[m];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < m; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) {
                            dot += q[(bb * n + i) * c + h * d + e] * k[(bb * m + j) * c + h * d + e];
                        }
                        s[j] = dot * scale + mask[i * m + j];
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < m; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int e = 0; e < d; e++) {
                        double acc = 0;
                        for (int j = 0; j < m; j++) {
                            acc += s[j] / sum * v[(bb * m + j) * c + h * d + e];
                        }
                        expected[(bb * n + i) * c + h * d + e] = acc;
                    }
                }
            }
        }
        assertClose(expected, out.toFloatArray(), 1e-5);
    }

    @Test
    void timestepEmbeddingIsCosThenSin() {
        NDArray t = manager.create(new long[] {0, 10, 999});
        float[] e = Functional.timestepEmbedding(t, 8, DataType.FLOAT32).toFloatArray();
        long[] steps = {0, 10, 999};
        for (int r = 0; r < 3; r++) {
            for (int i = 0; i < 4; i++) {
                double f = Math.exp(-Math.log(10000) * i / 4);
                assertEquals(Math.cos(steps[r] * f), e[r * 8 + i], 2e-4);
                assertEquals(Math.sin(steps[r] * f), e[r * 8 + 4 + i], 2e-4);
            }
        }
    }

    @Test
    void activations() {
        float[] x = values(50);
        NDArray a = manager.create(x);
        float[] silu = Functional.silu(a).toFloatArray();
        float[] quick = Functional.quickGelu(a, manager.create(1.702f)).toFloatArray();
        float[] gelu = Functional.gelu(a).toFloatArray();
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i] / (1 + Math.exp(-x[i])), silu[i], 1e-6);
            assertEquals(x[i] / (1 + Math.exp(-1.702 * x[i])), quick[i], 1e-6);
            assertEquals(0.5 * x[i] * (1 + erf(x[i] / Math.sqrt(2))), gelu[i], 1e-5);
        }
        assertArrayEquals(x, a.toFloatArray(), "inputs are never modified");
    }

    private static double erf(double z) {
        double t = 1 / (1 + 0.5 * Math.abs(z));
        double y = 1 - t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return z >= 0 ? y : -y;
    }

    @Test
    void adaptersAddToTheOutputAndDetach() throws IOException {
        float[] w = values(12);
        Weights weights = Weights.load(source(Map.of("fc.weight", Tensor.ofFloats(new long[] {3, 4}, w),
                "fc.bias", Tensor.ofFloats(new long[] {3}, new float[] {1, 2, 3}))), manager, DataType.FLOAT32);
        Linear fc = Linear.load(weights.at("fc"), 4, 3, true);
        assertEquals(fc, weights.layers().get("fc"));
        NDArray x = manager.create(values(8), new Shape(2, 4));
        float[] base = fc.forward(x).toFloatArray();
        Adapter plusOne = input -> input.getManager().ones(new Shape(2, 3));
        Adapter doubled = input -> input.getNDArrayInternal().linear(input, fc.weight(), null).singletonOrThrow();
        fc.addAdapter(plusOne);
        fc.addAdapter(doubled);
        assertEquals(List.of(plusOne, doubled), fc.adapters());
        float[] adapted = fc.forward(x).toFloatArray();
        for (int i = 0; i < base.length; i++) {
            float bias = i % 3 + 1;
            assertEquals(base[i] + 1 + (base[i] - bias), adapted[i], 1e-5);
        }
        assertTrue(fc.removeAdapter(plusOne));
        assertTrue(fc.removeAdapter(doubled));
        assertFalse(fc.removeAdapter(doubled));
        assertArrayEquals(base, fc.forward(x).toFloatArray());
    }

    @Test
    void scopesCloseTemporariesAndHandTheResultOn() {
        NDArray[] temporary = new NDArray[1];
        NDArray result;
        try (NDScope outer = new NDScope()) {
            outer.suppressNotUsedWarning();
            NDArray x = manager.ones(new Shape(3));
            result = Scopes.run(() -> {
                temporary[0] = x.add(x);
                return temporary[0].mul(x);
            });
            assertTrue(temporary[0].isReleased(), "temporaries are closed when the block returns");
            assertFalse(result.isReleased());
            assertArrayEquals(new float[] {2, 2, 2}, result.toFloatArray());
        }
        assertTrue(result.isReleased(), "the result belongs to the enclosing scope");
    }

    @Test
    void weightsReportEveryProblemAndConvertHalfPrecision() throws IOException {
        float[] w = values(6);
        ByteBuffer half = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : w) {
            half.putShort(HalfFloats.f32ToF16(v));
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a.weight", Tensor.of(DType.F16, new long[] {2, 3}, half.flip()));
        tensors.put("b.weight", Tensor.ofFloats(new long[] {3, 2}, w));
        tensors.put("c.weight", Tensor.ofLongs(new long[] {2}, new long[] {1, 2}));
        tensors.put("extra", Tensor.scalar(1f));
        Weights weights = Weights.load(source(tensors), manager, DataType.FLOAT32);
        NDArray a = weights.get("a.weight", 2, 3);
        assertEquals(DataType.FLOAT32, a.getDataType());
        float[] widened = Tensor.of(DType.F16, new long[] {2, 3}, tensors.get("a.weight").data()).toFloatArray();
        assertArrayEquals(widened, a.toFloatArray());
        assertEquals(null, weights.get("b.weight", 2, 3));
        assertEquals(null, weights.get("c.weight", 2));
        assertEquals(null, weights.at("d").get("weight", 4));
        assertEquals(List.of("b.weight has shape [3, 2] where [2, 3] is expected",
                "c.weight is I64 where a floating-point tensor (F32, F16 or BF16) is expected",
                "missing d.weight [4]"), weights.problems());
        assertEquals("b.weight has shape [3, 2] where [2, 3] is expected; and 2 more", weights.problemSummary(1));
        assertEquals(List.of("extra"), weights.unused());
        assertEquals(List.of("a.weight", "b.weight", "c.weight", "d.weight"), List.copyOf(weights.requested().keySet()));
    }

    @Test
    void remappedSourcesRenameReshapeAndCutRows() throws IOException {
        float[] fused = values(12);
        WeightSource file = source(Map.of("attn.in_proj_weight", Tensor.ofFloats(new long[] {6, 2}, fused),
                "conv", Tensor.ofFloats(new long[] {2, 2}, new float[] {1, 2, 3, 4})));
        RemappedSource view = RemappedSource.builder(file)
                .rows("k.weight", "attn.in_proj_weight", 2, 4)
                .reshape("proj.weight", "conv", 2, 2, 1, 1)
                .rename("same", "conv")
                .rename("absent", "nothing")
                .spellingOfAbsent(n -> n.equals("v.weight") ? "attn.in_proj_weight" : null)
                .build();
        assertEquals(List.of("k.weight", "proj.weight", "same"), List.copyOf(view.names()));
        assertArrayEquals(new long[] {2, 2}, view.info("k.weight").shape());
        assertArrayEquals(java.util.Arrays.copyOfRange(fused, 4, 8), view.tensor("k.weight").toFloatArray());
        assertTrue(view.tensor("k.weight").data().isDirect(), "a slice of the mapped file");
        assertArrayEquals(new long[] {2, 2, 1, 1}, view.tensor("proj.weight").shape());
        assertEquals("attn.in_proj_weight rows 2..3", view.describe("k.weight"));
        assertEquals("attn.in_proj_weight", view.describe("v.weight"));
    }

    /**
     * Constants made from Java arrays must not alias the Java buffer: once that is collected its
     * memory is reused (a causal mask that did read garbage after a GC, intermittently).
     */
    @Test
    void constantsOwnTheirMemory() throws Exception {
        Weights weights = Weights.load(source(Map.of("x", Tensor.scalar(1f))), manager, DataType.FLOAT32);
        NDArray mask = weights.constants().causalMask(77);
        NDArray scalar = weights.constants().scalar(0.125f);
        float[] before = mask.toFloatArray();
        List<ByteBuffer> junk = new java.util.ArrayList<>();
        for (int round = 0; round < 5; round++) {
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < 20; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(77 * 77 * 4);
                while (b.hasRemaining()) {
                    b.put((byte) 0x7f);
                }
                junk.add(b);
            }
        }
        assertArrayEquals(before, mask.toFloatArray());
        assertEquals(0.125f, scalar.getFloat());
        assertEquals(Float.NEGATIVE_INFINITY, before[1]);
        assertEquals(0f, before[77]);
        assertEquals(100, junk.size());
    }

    @Test
    void autogradRecordingFollowsTheCollector() {
        assertThrows(IllegalStateException.class, () -> Autograd.inference(() -> {
            assertFalse(Autograd.recording());
            throw new IllegalStateException("restored even when failing");
        }));
        try (GradientCollector collector = TensorRuntime.engine().newGradientCollector()) {
            assertTrue(collector != null && Autograd.recording());
            assertFalse(Autograd.inference(Autograd::recording));
            assertTrue(Autograd.recording());
        }
    }
}
