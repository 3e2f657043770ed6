package dev.lathe.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PythonJsonTest {

    @Test
    void floatsAsPythonRepr() {
        // Each expected string is what Python 3 prints for repr(x).
        assertEquals("0.0", PythonJson.floatRepr(0.0));
        assertEquals("2.5", PythonJson.floatRepr(2.5));
        assertEquals("100.0", PythonJson.floatRepr(100.0));
        assertEquals("0.30000000000000004", PythonJson.floatRepr(0.1 + 0.2));
        assertEquals("0.05555555555555558", PythonJson.floatRepr(448.0 / 576 - 640.0 / 768 + 0.11111111111111116));
        assertEquals("0.0001", PythonJson.floatRepr(1e-4));
        assertEquals("1e-05", PythonJson.floatRepr(1e-5));
        assertEquals("1.5e-07", PythonJson.floatRepr(1.5e-7));
        assertEquals("1234567890123456.0", PythonJson.floatRepr(1234567890123456.0));
        assertEquals("1e+16", PythonJson.floatRepr(1e16));
        assertEquals("1.2345678901234568e+17", PythonJson.floatRepr(123456789012345678.0));
        assertEquals("-0.5", PythonJson.floatRepr(-0.5));
        assertEquals("5e-324", PythonJson.floatRepr(Double.MIN_VALUE));
    }

    @Test
    void dumpsAsPythonJsonDumps() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("resolution", List.of(448, 576));
        inner.put("count", 40);
        Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("buckets", Map.of("0", inner));
        outer.put("mean_img_ar_error", 0.0);
        outer.put("tag", "café \"x\"\n😀");
        assertEquals("{\"buckets\": {\"0\": {\"resolution\": [448, 576], \"count\": 40}}, \"mean_img_ar_error\": 0.0, "
                + "\"tag\": \"caf\\u00e9 \\\"x\\\"\\n\\ud83d\\ude00\"}", PythonJson.dumps(outer));
    }
}
