package dev.lathe.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.optim.Parameter;
import dev.lathe.runtime.TensorRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Global-norm clipping against {@code torch.nn.utils.clip_grad_norm_} (torch 1.13, the cases in
 * {@code optim/clip_grad_norm.json}, written by {@code bench/python/clip_grad_norm_fixture.py}),
 * on both code paths: Java loops for float32 gradients, DJL operations for float64 ones.
 */
class GradientsTest {

    private static JsonNode fixture;
    private static NDManager manager;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = GradientsTest.class.getResourceAsStream("/optim/clip_grad_norm.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        manager = TensorRuntime.newManager(Device.cpu());
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static JsonNode fixtureCase(String name) {
        for (JsonNode c : fixture.get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException(name);
    }

    /** Parameters of the case's shapes whose gradients are exactly the case's gradients. */
    private static List<Parameter> parametersWithGradients(JsonNode c, DataType type) {
        List<Parameter> parameters = new ArrayList<>();
        List<NDArray> gradients = new ArrayList<>();
        for (int k = 0; k < c.get("shapes").size(); k++) {
            Shape shape = shape(c.get("shapes").get(k));
            NDArray value = manager.zeros(shape, type);
            value.setRequiresGradient(true);
            parameters.add(new Parameter("p" + k, value));
            gradients.add(manager.create(floats(c.get("gradients").get(k)), shape).toType(type, false));
        }
        backward(parameters, gradients);
        return parameters;
    }

    /** One backward pass of {@code Σ_k sum(p_k · g_k)}: afterwards each gradient is g_k exactly. */
    private static void backward(List<Parameter> parameters, List<NDArray> gradients) {
        try (NDScope scope = new NDScope(); GradientCollector collector = TensorRuntime.engine().newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDArray loss = null;
            for (int k = 0; k < parameters.size(); k++) {
                NDArray term = parameters.get(k).value().mul(gradients.get(k)).sum();
                loss = loss == null ? term : loss.add(term);
            }
            collector.backward(loss);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"clipped", "below", "max_norm_0.25"})
    void float32GradientsAreClippedAsPyTorchClipsThem(String name) {
        JsonNode c = fixtureCase(name);
        List<Parameter> parameters = parametersWithGradients(c, DataType.FLOAT32);
        double torchNorm = c.get("total_norm").asDouble();

        assertEquals(torchNorm, Gradients.globalNorm(parameters), torchNorm * 1e-6, "global norm");
        double norm = Gradients.clipGlobalNorm(parameters, c.get("max_norm").asDouble());
        assertEquals(torchNorm, norm, torchNorm * 1e-6, "the norm before clipping is returned");
        for (int k = 0; k < parameters.size(); k++) {
            float[] expected = floats(c.get("clipped").get(k));
            float[] actual = gradient(parameters.get(k));
            for (int i = 0; i < expected.length; i++) {
                // torch's float32 norm and Lathe's double norm may round 1 ulp apart, and the factor with them
                assertEquals(expected[i], actual[i], Math.abs(expected[i]) * 5e-7f, name + " gradient " + k + "[" + i + "]");
            }
        }
        if (torchNorm < c.get("max_norm").asDouble()) {
            for (int k = 0; k < parameters.size(); k++) {
                assertArrayEquals(floats(c.get("gradients").get(k)), gradient(parameters.get(k)),
                        "below the maximum, gradients stay bit for bit");
            }
        } else {
            assertEquals(c.get("max_norm").asDouble(), Gradients.globalNorm(parameters), 1e-5, "norm after clipping");
        }
    }

    @Test
    void float64GradientsTakeTheDjlPathWithTheSameResult() {
        JsonNode c = fixtureCase("clipped");
        List<Parameter> parameters = parametersWithGradients(c, DataType.FLOAT64);
        double norm = Gradients.clipGlobalNorm(parameters, c.get("max_norm").asDouble());
        assertEquals(c.get("total_norm").asDouble(), norm, norm * 1e-6);
        for (int k = 0; k < parameters.size(); k++) {
            float[] expected = floats(c.get("clipped").get(k));
            float[] actual = gradient(parameters.get(k));
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], Math.abs(expected[i]) * 5e-7f + 1e-12f);
            }
        }
    }

    @Test
    void aMixOfPathsCountsEveryGradientOnce() {
        JsonNode c = fixtureCase("max_norm_0.25");
        List<Parameter> parameters = parametersWithGradients(c, DataType.FLOAT32);
        List<Parameter> mixed = new ArrayList<>(parameters.subList(0, 1));
        // the other two as float64 arrays (DJL path), with the same gradients
        List<Parameter> wide = parametersWithGradients(c, DataType.FLOAT64);
        mixed.addAll(wide.subList(1, wide.size()));
        double norm = Gradients.clipGlobalNorm(mixed, 0.25);
        assertEquals(c.get("total_norm").asDouble(), norm, norm * 1e-6);
        for (int k = 0; k < mixed.size(); k++) {
            float[] expected = floats(c.get("clipped").get(k));
            float[] actual = gradient(mixed.get(k));
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], Math.abs(expected[i]) * 5e-7f + 1e-12f);
            }
        }
    }

    /** torch 1.13: an infinite norm gives the factor 0 (inf becomes NaN, the rest 0); a NaN norm makes everything NaN. */
    @Test
    void nonFiniteNormsBehaveAsInPyTorch() {
        List<Parameter> parameters = twoParameters(new float[] {1, Float.POSITIVE_INFINITY, 2}, new float[] {0.5f, -0.5f});
        assertTrue(Double.isInfinite(Gradients.clipGlobalNorm(parameters, 1.0)));
        float[] a = gradient(parameters.get(0));
        assertEquals(0f, a[0]);
        assertTrue(Float.isNaN(a[1]));
        assertEquals(0f, a[2]);
        assertArrayEquals(new float[] {0f, -0f}, gradient(parameters.get(1)));

        parameters = twoParameters(new float[] {1, Float.NaN, 2}, new float[] {0.5f, -0.5f});
        assertTrue(Double.isNaN(Gradients.clipGlobalNorm(parameters, 1.0)));
        for (Parameter p : parameters) {
            for (float g : gradient(p)) {
                assertTrue(Float.isNaN(g), "NaN gradient expected, got " + g);
            }
        }
    }

    private static List<Parameter> twoParameters(float[] gradientA, float[] gradientB) {
        NDArray a = manager.zeros(new Shape(gradientA.length));
        NDArray b = manager.zeros(new Shape(gradientB.length));
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        List<Parameter> parameters = List.of(new Parameter("a", a), new Parameter("b", b));
        backward(parameters, List.of(manager.create(gradientA), manager.create(gradientB)));
        return parameters;
    }

    @Test
    void clearZeroesGradientsSoTheNextBackwardDoesNotAccumulate() {
        JsonNode c = fixtureCase("clipped");
        List<Parameter> parameters = parametersWithGradients(c, DataType.FLOAT32);
        Gradients.clear(parameters);
        for (Parameter p : parameters) {
            for (float g : gradient(p)) {
                assertEquals(0f, g);
            }
        }
        List<NDArray> gradients = new ArrayList<>();
        for (int k = 0; k < parameters.size(); k++) {
            gradients.add(manager.create(floats(c.get("gradients").get(k)), parameters.get(k).value().getShape()));
        }
        backward(parameters, gradients);
        for (int k = 0; k < parameters.size(); k++) {
            assertArrayEquals(floats(c.get("gradients").get(k)), gradient(parameters.get(k)));
        }
    }

    @Test
    void parametersWithoutGradientYetAreSkipped() {
        NDArray fresh = manager.zeros(new Shape(4));
        fresh.setRequiresGradient(true);
        List<Parameter> parameters = List.of(new Parameter("fresh", fresh));
        Gradients.clear(parameters); // no gradient to clear: nothing happens
        assertEquals(0.0, Gradients.globalNorm(parameters));
        assertEquals(0.0, Gradients.clipGlobalNorm(parameters, 1.0));
    }

    @Test
    void theMaximumMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> Gradients.clipGlobalNorm(List.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> Gradients.clipGlobalNorm(List.of(), Double.NaN));
    }

    private static float[] gradient(Parameter p) {
        try (NDArray g = p.value().getGradient(); NDArray f = g.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }

    private static float[] floats(JsonNode list) {
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) list.get(i).asDouble();
        }
        return out;
    }

    private static Shape shape(JsonNode list) {
        long[] dims = new long[list.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = list.get(i).asLong();
        }
        return new Shape(dims);
    }
}
