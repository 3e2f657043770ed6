package dev.lathe.optim;

import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.OptimizerState;
import dev.lathe.api.optim.Parameter;
import dev.lathe.api.optim.ParameterGroup;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lathe.api.InvalidInputException;
import dev.lathe.runtime.HostLoops;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bookkeeping every optimizer over parameter groups shares, so that an optimizer class holds
 * only its algorithm: per-parameter state tensors (created as zeros on first use, saved and
 * restored by name), the step counter, per-group learning rates, and a step loop that frees every
 * temporary and works on {@link ParameterView}s (float32 compute for float16 parameters).
 *
 * <p>A subclass supplies {@link #newState} (which calls {@link #stateTensor} for each tensor it
 * keeps, in a typed holder {@code S} of its own) and {@link #update}, the update of one
 * parameter. It may supply {@link #settings()}: option values that are saved with the state and
 * compared on restore.
 *
 * @param <S> what the optimizer keeps per parameter (e.g. its two moment tensors)
 */
public abstract class AbstractOptimizer<S> implements Optimizer {

    private static final Logger LOG = LoggerFactory.getLogger(AbstractOptimizer.class);
    private static final String LEARNING_RATE = "learningRate.";

    private final String id;
    private final List<ParameterGroup> groups;
    private final NDManager manager;
    private final double[] rates;
    private final Map<String, Double> lastRates = new LinkedHashMap<>();
    private final Map<String, S> states = new LinkedHashMap<>();
    private final Map<String, NDArray> stateTensors = new LinkedHashMap<>();
    private final Map<Scalar, NDArray> scalars = new ConcurrentHashMap<>();
    private long steps;

    /**
     * @param id     the factory id, written into saved states
     * @param groups the parameter groups; parameter names must be unique across all groups
     * @throws InvalidInputException when there is nothing to train or two parameters share a name
     */
    protected AbstractOptimizer(String id, List<ParameterGroup> groups) {
        this.id = id;
        this.groups = List.copyOf(groups);
        Set<String> names = new HashSet<>();
        for (ParameterGroup group : this.groups) {
            for (Parameter p : group.parameters()) {
                if (!names.add(p.name())) {
                    throw new InvalidInputException("Two trainable parameters are both named \"" + p.name()
                            + "\"; the " + id + " optimizer matches saved state by name, so names must be unique.");
                }
            }
        }
        if (names.isEmpty()) {
            throw new InvalidInputException("The " + id + " optimizer was given no parameters to train.");
        }
        Parameter first = this.groups.stream().flatMap(g -> g.parameters().stream()).findFirst().orElseThrow();
        this.manager = first.value().getManager().newSubManager();
        this.rates = this.groups.stream().mapToDouble(g -> g.learningRate() == null ? 0.0 : g.learningRate()).toArray();
    }

    /**
     * Creates what the optimizer keeps for {@code parameter}, before its first update (or a restore).
     * Allocate its tensors with {@link #stateTensor}.
     */
    protected abstract S newState(Parameter parameter);

    /**
     * Updates one parameter in place from its gradient. Runs inside an {@link NDScope} that frees
     * what it allocates; with {@link #updatesInParallel()}, runs for several parameters at once.
     *
     * @param state     what {@link #newState} made for this parameter
     * @param parameter value (write the update into it in place) and gradient, in the state's precision
     * @param group     index of the parameter's group
     * @param step      the step being taken, counting from 1
     * @return the learning rate applied to this parameter, for {@link #learningRates()}
     */
    protected abstract double update(S state, ParameterView parameter, int group, long step);

    /**
     * Option values saved with the state (under their option names) and compared on restore.
     * Empty by default.
     */
    protected Map<String, String> settings() {
        return Map.of();
    }

    /**
     * A state tensor of {@code parameter}, zeros of {@code shape} in the parameter's state
     * precision ({@link ParameterView#computeType}), saved as {@code <parameter>.<slot>}.
     */
    protected final NDArray stateTensor(Parameter parameter, String slot, Shape shape) {
        DataType type = ParameterView.computeType(parameter.value().getDataType(), parameter.name());
        NDArray zeros = manager.zeros(shape, type);
        NDScope.unregister(zeros); // state outlives any scope the caller may have opened
        stateTensors.put(parameter.name() + "." + slot, zeros);
        return zeros;
    }

    /**
     * {@code value} as a 0-dim array of {@code like}'s dtype, for the scalar operands of an update
     * ({@code m.muli(scalar(beta1, m))}). Shared by every parameter of the step and freed after
     * it: DJL's {@code Number} overloads ({@code m.muli(0.9)}) allocate a direct buffer and a
     * native tensor on every call, which costs more than the operation itself on LoRA-sized tensors.
     * The value is rounded to {@code like}'s precision, as PyTorch does with a Python number.
     */
    protected final NDArray scalar(double value, NDArray like) {
        return scalars.computeIfAbsent(new Scalar(value, like.getDataType()), key -> {
            // full() makes the tensor natively; create(double) goes through a direct buffer, but is
            // exact for float64 (full() takes a float).
            NDArray array = key.type() == DataType.FLOAT64
                    ? manager.create(value)
                    : manager.full(new Shape(), (float) value, key.type());
            NDScope.unregister(array); // lives until the end of the step, beyond the caller's scope
            return array;
        });
    }

    private record Scalar(double value, DataType type) {
    }

    /** The current learning rate of group {@code group}. */
    protected final double learningRate(int group) {
        return rates[group];
    }

    /** The groups given at creation. */
    public final List<ParameterGroup> groups() {
        return groups;
    }

    /**
     * The learning rate {@link #update} applied to the named parameter at the last step taken by
     * this instance, or {@code NaN} before it. For logging per-parameter rates and for tests.
     */
    public final double lastLearningRate(String parameterName) {
        return lastRates.getOrDefault(parameterName, Double.NaN);
    }

    /**
     * Whether {@link #update} may run for several parameters at once, on {@link HostLoops}
     * threads. Say yes only for updates that are Java loops over {@link HostLoops#memoryOf}
     * (one thread each); updates written as DJL operations already use libtorch's threads, and
     * running them side by side would oversubscribe the cores. No by default.
     */
    protected boolean updatesInParallel() {
        return false;
    }

    /**
     * Whether every parameter is in CPU memory and computes in float32 (float32 or float16
     * parameters): the case where an update can run as {@link HostLoops} loops.
     */
    protected final boolean computesOnHostInFloat32() {
        return groups.stream().flatMap(g -> g.parameters().stream()).allMatch(p -> !p.value().getDevice().isGpu()
                && ParameterView.computeType(p.value().getDataType(), p.name()) == DataType.FLOAT32);
    }

    @Override
    public final void step() {
        long step = steps + 1;
        List<Target<S>> targets = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            List<Parameter> parameters = groups.get(g).parameters();
            for (int i = 0; i < parameters.size(); i++) {
                Parameter parameter = parameters.get(i);
                if (parameter.value().hasGradient()) {
                    targets.add(new Target<>(parameter, g, i == 0, stateOf(parameter)));
                }
            }
        }
        double[] used = new double[targets.size()];
        IntConsumer updateOne = k -> {
            Target<S> target = targets.get(k);
            // Everything the update allocates is freed here; the parameter and state are written in place.
            try (NDScope scope = new NDScope(); ParameterView view = ParameterView.open(target.parameter())) {
                scope.suppressNotUsedWarning();
                used[k] = update(target.state(), view, target.group(), step);
            }
        };
        if (updatesInParallel()) {
            HostLoops.forEach(targets.size(), updateOne);
        } else {
            for (int k = 0; k < targets.size(); k++) {
                updateOne.accept(k);
            }
        }
        for (int k = 0; k < targets.size(); k++) {
            Target<S> target = targets.get(k);
            lastRates.put(target.parameter().name(), used[k]);
            if (target.firstInGroup() && ownsSchedule()) {
                rates[target.group()] = used[k];
            }
        }
        scalars.values().forEach(NDArray::close);
        scalars.clear();
        steps = step;
    }

    private record Target<S>(Parameter parameter, int group, boolean firstInGroup, S state) {
    }

    @Override
    public final long stepCount() {
        return steps;
    }

    @Override
    public void setLearningRate(int group, double learningRate) {
        if (ownsSchedule()) {
            throw new IllegalStateException("the " + id + " optimizer computes its own learning rate; "
                    + "no schedule may set it");
        }
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + learningRate);
        }
        rates[group] = learningRate;
    }

    @Override
    public final List<Double> learningRates() {
        return Arrays.stream(rates).boxed().toList();
    }

    @Override
    public final OptimizerState state() {
        groups.forEach(g -> g.parameters().forEach(this::stateOf));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        stateTensors.forEach((name, array) -> tensors.put(name, copyToHeap(array)));
        Map<String, String> values = new LinkedHashMap<>(settings());
        values.put(OptimizerState.OPTIMIZER, id);
        values.put(OptimizerState.STEP, Long.toString(steps));
        for (int g = 0; g < groups.size(); g++) {
            values.put(LEARNING_RATE + groups.get(g).name(), Double.toString(rates[g]));
        }
        return new OptimizerState(tensors, values);
    }

    @Override
    public final void restore(OptimizerState saved) {
        long savedSteps = saved.requireOptimizer(id);
        groups.forEach(g -> g.parameters().forEach(this::stateOf));
        Map<String, long[]> expected = new LinkedHashMap<>();
        stateTensors.forEach((name, array) -> expected.put(name, array.getShape().getShape()));
        saved.requireTensors(id, expected);

        List<String> changed = new ArrayList<>();
        settings().forEach((name, now) -> {
            String before = saved.values().get(name);
            if (before != null && !before.equals(now)) {
                changed.add(name + " " + before + " -> " + now);
            }
        });
        if (!changed.isEmpty()) {
            LOG.warn("Resuming the {} optimizer with changed options ({}); the saved moments were built with the "
                    + "old ones.", id, String.join(", ", changed));
        }

        stateTensors.forEach((name, array) -> load(array, saved.tensors().get(name)));
        for (int g = 0; g < groups.size(); g++) {
            String rate = saved.values().get(LEARNING_RATE + groups.get(g).name());
            if (rate != null) {
                rates[g] = Double.parseDouble(rate);
            }
        }
        lastRates.clear();
        steps = savedSteps;
    }

    /** Frees the native memory of the state. */
    @Override
    public void close() {
        manager.close();
    }

    private S stateOf(Parameter parameter) {
        return states.computeIfAbsent(parameter.name(), name -> newState(parameter));
    }

    /** A heap copy, bit for bit, of a float32 or float64 state tensor. */
    private static Tensor copyToHeap(NDArray array) {
        DType dtype = array.getDataType() == DataType.FLOAT64 ? DType.F64 : DType.F32;
        ByteBuffer bytes = array.toByteBuffer();
        ByteBuffer heap = ByteBuffer.allocate(bytes.remaining()).put(bytes).flip();
        return Tensor.of(dtype, array.getShape().getShape(), heap);
    }

    /** Overwrites {@code array} in place (typed holders keep their references) with {@code saved}. */
    private static void load(NDArray array, Tensor saved) {
        if (array.getDataType() == DataType.FLOAT64) {
            array.set(DoubleBuffer.wrap(saved.toDoubleArray()));
        } else {
            array.set(FloatBuffer.wrap(saved.toFloatArray()));
        }
    }
}
