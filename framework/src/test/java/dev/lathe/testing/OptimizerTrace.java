package dev.lathe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.safetensors.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One case of the optimizer fixtures ({@code fixtures/train}, README §1): initial parameters and
 * per-step gradients from {@code optim_inputs.safetensors}, the reference parameters after each
 * step from {@code optim_<case>.safetensors}, and the case's entry in {@code optim_summary.json}.
 * The three files must be test resources of the module.
 */
public final class OptimizerTrace {

    /** The precision a reference run was made in; names the tensor prefix in the trace file. */
    public enum Precision { F32, F64;

        String prefix() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final String caseName;
    private final JsonNode summary;
    private final JsonNode caseSummary;
    private final Map<String, Tensor> inputs;
    private final Map<String, Tensor> trace;
    private final List<String> order = new ArrayList<>();

    private OptimizerTrace(String caseName) {
        this.caseName = caseName;
        this.summary = SafetensorsFixture.readJson("optim_summary.json");
        this.caseSummary = summary.get("cases").get(caseName);
        if (caseSummary == null) {
            throw new IllegalArgumentException("no optimizer case " + caseName + " in optim_summary.json");
        }
        this.inputs = SafetensorsFixture.read("optim_inputs.safetensors");
        this.trace = SafetensorsFixture.read(caseSummary.get("file").asText());
        summary.get("param_order").forEach(n -> order.add(n.asText()));
    }

    public static OptimizerTrace load(String caseName) {
        return new OptimizerTrace(caseName);
    }

    public String caseName() {
        return caseName;
    }

    /** Parameter names in the order the reference processed them (one group). */
    public List<String> parameterOrder() {
        return List.copyOf(order);
    }

    public int steps() {
        return summary.get("num_steps").asInt();
    }

    /** The reference optimizer's hyper-parameters (Python names). */
    public JsonNode hyperparameters() {
        return caseSummary.get("hyperparameters");
    }

    /** The summary's {@code per_step} entry of step {@code step} (1-based), where the case has one. */
    public JsonNode perStep(int step) {
        JsonNode entry = caseSummary.get("per_step").get(step - 1);
        if (entry.get("step").asInt() != step) {
            throw new IllegalStateException("per_step entries out of order");
        }
        return entry;
    }

    public Map<String, Tensor> initialValues() {
        Map<String, Tensor> values = new LinkedHashMap<>();
        order.forEach(p -> values.put(p, inputs.get("init." + p)));
        return values;
    }

    /** The gradients applied at step {@code step} (1-based). */
    public Map<String, Tensor> gradients(int step) {
        Map<String, Tensor> values = new LinkedHashMap<>();
        order.forEach(p -> values.put(p, inputs.get(String.format("grad.%02d.%s", step, p))));
        return values;
    }

    /** The reference value of {@code parameter} after step {@code step}, or null when the trace lacks it. */
    public Tensor expected(Precision precision, int step, String parameter) {
        return trace.get(String.format("%s.step.%02d.%s", precision.prefix(), step, parameter));
    }

    public boolean has(Precision precision) {
        return expected(precision, 1, order.get(0)) != null;
    }
}
