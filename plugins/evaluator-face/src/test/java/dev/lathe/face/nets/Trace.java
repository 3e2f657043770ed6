package dev.lathe.face.nets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.face.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Records a network's activations through its {@link Probe} and compares their statistics with
 * a layer list of {@code traces.json}.
 */
final class Trace implements Probe {

    private final List<String> stages = new ArrayList<>();
    private final List<long[]> shapes = new ArrayList<>();
    private final List<double[]> activations = new ArrayList<>();

    @Override
    public void record(String stage, INDArray activation) {
        stages.add(stage);
        shapes.add(activation.shape());
        activations.add(activation.dup('c').data().asDouble()); // the array itself lives in a reused workspace
    }

    /**
     * Compares the recorded activations, in order, with {@code layers[first…]}. Statistics may
     * differ by {@code relative} times the layer's largest magnitude (summation order differs).
     */
    void assertMatches(JsonNode layers, int first, double relative) {
        assertEquals(layers.size() - first, activations.size(), "recorded stages: " + stages);
        for (int i = 0; i < activations.size(); i++) {
            JsonNode expected = layers.get(first + i);
            String name = stages.get(i) + " vs " + expected.get("name").asText();
            assertArrayEquals(Fixtures.doubles(expected.get("shape")), toDoubles(shapes.get(i)), name);
            double[] values = activations.get(i);
            double scale = Math.max(1, Math.max(Math.abs(expected.get("min").asDouble()), Math.abs(expected.get("max").asDouble())));
            double tolerance = relative * scale;
            double sum = 0;
            double sumAbs = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double v : values) {
                sum += v;
                sumAbs += Math.abs(v);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            double mean = sum / values.length;
            double squares = 0;
            for (double v : values) {
                squares += (v - mean) * (v - mean);
            }
            assertEquals(expected.get("mean").asDouble(), mean, tolerance, name + " mean");
            assertEquals(expected.get("std").asDouble(), Math.sqrt(squares / values.length), tolerance, name + " std");
            assertEquals(expected.get("min").asDouble(), min, tolerance, name + " min");
            assertEquals(expected.get("max").asDouble(), max, tolerance, name + " max");
            assertEquals(expected.get("sumAbs").asDouble(), sumAbs, tolerance * values.length, name + " sumAbs");
            double[] first8 = Fixtures.doubles(expected.get("first8"));
            for (int k = 0; k < first8.length; k++) {
                assertEquals(first8[k], values[k], tolerance, name + " value " + k);
            }
            assertTrue(values.length >= first8.length);
        }
    }

    private static double[] toDoubles(long[] shape) {
        double[] d = new double[shape.length];
        for (int i = 0; i < shape.length; i++) {
            d[i] = shape[i];
        }
        return d;
    }
}
