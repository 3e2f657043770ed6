package org.example.lathe.sgd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.OptimizerState;
import dev.lathe.api.optim.Parameter;
import dev.lathe.api.optim.ParameterGroup;
import dev.lathe.safetensors.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SGD as torch.optim.SGD computes it, per parameter with gradient g:
 * <pre>
 *   d = g + weightDecay * p
 *   b = d                                  (first step)
 *   b = momentum * b + (1 - dampening) * d (later steps)
 *   d = nesterov ? d + momentum * b : b    (when momentum > 0)
 *   p = p - lr * d
 * </pre>
 * Momentum buffers are float32 whatever the parameter dtype.
 */
final class Sgd implements Optimizer {

    record Settings(double momentum, double dampening, double weightDecay, boolean nesterov) {
    }

    private final List<ParameterGroup> groups;
    private final Settings settings;
    private final double[] learningRates;
    private final Map<String, NDArray> momentumBuffers = new HashMap<>();
    private final NDManager stateManager;
    private long steps;

    Sgd(List<ParameterGroup> groups, Settings settings) {
        this.groups = List.copyOf(groups);
        this.settings = settings;
        this.learningRates = groups.stream().mapToDouble(ParameterGroup::learningRate).toArray();
        NDManager parent = groups.stream().flatMap(g -> g.parameters().stream()).findFirst()
                .map(p -> p.value().getManager()).orElseThrow(() -> new InvalidInputException(
                        "The sgd optimizer was given no parameters to train."));
        this.stateManager = parent.newSubManager();
    }

    @Override
    public void step() {
        for (int g = 0; g < groups.size(); g++) {
            for (Parameter parameter : groups.get(g).parameters()) {
                NDArray value = parameter.value();
                if (!value.hasGradient()) {
                    continue;
                }
                try (NDManager scope = stateManager.newSubManager()) {
                    update(parameter.name(), value, learningRates[g], scope);
                }
            }
        }
        steps++;
    }

    private void update(String name, NDArray value, double lr, NDManager scope) {
        NDArray d = float32Copy(value.getGradient(), scope);
        if (settings.weightDecay() != 0) {
            try (NDArray detached = value.stopGradient()) {
                d.addi(float32Copy(detached, scope).muli(settings.weightDecay()));
            }
        }
        if (settings.momentum() != 0) {
            NDArray buffer = momentumBuffers.get(name);
            if (buffer == null) {
                buffer = d.duplicate();
                buffer.attach(stateManager);
                momentumBuffers.put(name, buffer);
            } else {
                buffer.muli(settings.momentum()).addi(d.mul(1 - settings.dampening()));
            }
            d = settings.nesterov() ? d.add(buffer.mul(settings.momentum())) : buffer;
        }
        try (NDArray view = value.stopGradient()) {
            view.subi(d.mul(lr).toType(value.getDataType(), false));
        }
    }

    /**
     * A float32 copy in {@code scope}. (DJL's {@code toType(sameType, true)} hands back the same
     * storage, so an in-place op on it would write into the parameter or its gradient.)
     */
    private static NDArray float32Copy(NDArray array, NDManager scope) {
        NDArray copy = array.getDataType() == DataType.FLOAT32 ? array.duplicate() : array.toType(DataType.FLOAT32, false);
        copy.attach(scope);
        return copy;
    }

    @Override
    public long stepCount() {
        return steps;
    }

    @Override
    public boolean ownsSchedule() {
        return false;
    }

    @Override
    public void setLearningRate(int group, double learningRate) {
        learningRates[group] = learningRate;
    }

    @Override
    public List<Double> learningRates() {
        return Arrays.stream(learningRates).boxed().toList();
    }

    @Override
    public OptimizerState state() {
        Map<String, Tensor> tensors = new HashMap<>();
        momentumBuffers.forEach((name, buffer) ->
                tensors.put("momentum." + name, Tensor.ofFloats(buffer.getShape().getShape(), buffer.toFloatArray())));
        return new OptimizerState(tensors, Map.of("optimizer", "sgd", "steps", Long.toString(steps)));
    }

    @Override
    public void restore(OptimizerState state) {
        if (!"sgd".equals(state.values().get("optimizer"))) {
            throw new InvalidInputException("The saved optimizer state is from \"" + state.values().get("optimizer")
                    + "\", not sgd: resume with the optimizer the run was started with.");
        }
        Map<String, long[]> shapes = new HashMap<>();
        groups.forEach(g -> g.parameters().forEach(p -> shapes.put(p.name(), p.value().getShape().getShape())));
        state.tensors().forEach((key, tensor) -> {
            String name = key.substring("momentum.".length());
            long[] shape = shapes.get(name);
            if (shape == null || !Arrays.equals(shape, tensor.shape())) {
                throw new InvalidInputException("The saved sgd state has a momentum buffer for \"" + name
                        + "\" " + Arrays.toString(tensor.shape()) + " that matches no parameter being trained.");
            }
            NDArray buffer = stateManager.create(tensor.toFloatArray(), new Shape(shape));
            NDArray previous = momentumBuffers.put(name, buffer);
            if (previous != null) {
                previous.close();
            }
        });
        steps = Long.parseLong(state.values().getOrDefault("steps", "0"));
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
