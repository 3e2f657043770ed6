package dev.lathe.optimizer.adafactor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lathe.optim.AbstractOptimizer;
import dev.lathe.api.optim.Parameter;
import dev.lathe.api.optim.ParameterGroup;
import dev.lathe.optim.ParameterView;
import dev.lathe.runtime.HostLoops;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adafactor (Shazeer &amp; Stern 2018) step for step as transformers' {@code Adafactor}, the fairseq
 * variant: the second moment of a matrix is kept as its row and column means (memory O(n+m)
 * instead of O(nm)), updates are clipped to an RMS of {@code clipThreshold}, and in
 * relative-step mode the learning rate follows from the step count and the parameter's own scale.
 *
 * <p>The update is written as DJL operations here (GPU, float64) and as Java loops in
 * {@link AdafactorLoops}, used for float32 work in CPU memory with parameters updated side by
 * side; both are checked against the same reference traces.
 */
final class Adafactor extends AbstractOptimizer<Adafactor.Moments> {

    private static final Logger LOG = LoggerFactory.getLogger(Adafactor.class);
    private static final int[] LAST = {-1};
    private static final int[] SECOND_TO_LAST = {-2};

    record Hyperparameters(boolean relativeStep, boolean scaleParameter, boolean warmupInit, double eps1, double eps2,
            double clipThreshold, double decayRate, Double beta1, double weightDecay) {
    }

    /**
     * The running second moment of one parameter: factored into {@code row} and {@code column}
     * means over the last two dimensions for tensors of two or more dimensions, {@code full} for
     * vectors; {@code expAvg} only with {@code beta1}.
     */
    record Moments(NDArray row, NDArray column, NDArray full, NDArray expAvg) {
        boolean factored() {
            return row != null;
        }
    }

    private final Hyperparameters h;
    private final AdafactorLoops loops;

    Adafactor(List<ParameterGroup> groups, Hyperparameters hyperparameters) {
        this(groups, hyperparameters, true);
    }

    /** {@code useLoops = false} always takes the DJL-operation path (tests compare the two). */
    Adafactor(List<ParameterGroup> groups, Hyperparameters hyperparameters, boolean useLoops) {
        super(AdafactorFactory.ID, groups);
        this.h = hyperparameters;
        this.loops = useLoops && computesOnHostInFloat32() ? new AdafactorLoops(hyperparameters) : null;
        if (h.relativeStep()) {
            groups.stream().filter(g -> g.learningRate() != null).forEach(g -> LOG.warn(
                    "Adafactor is in relative-step mode and computes its own learning rate, so the learning rate {} "
                            + "given for parameter group \"{}\" is not used (it is only reported before the first "
                            + "step). Set the optimizer option \"relativeStep\": false to train with a fixed rate.",
                    g.learningRate(), g.name()));
        } else {
            groups.forEach(g -> g.requireLearningRate(AdafactorFactory.ID));
        }
    }

    /** The loop form updates one parameter per thread; the DJL form uses libtorch's threads. */
    @Override
    protected boolean updatesInParallel() {
        return loops != null;
    }

    /** In relative-step mode the learning rate comes from the step count, not from a schedule. */
    @Override
    public boolean ownsSchedule() {
        return h.relativeStep();
    }

    @Override
    protected Moments newState(Parameter p) {
        Shape shape = p.value().getShape();
        int n = shape.dimension();
        NDArray expAvg = h.beta1() != null ? stateTensor(p, "exp_avg", shape) : null;
        if (n >= 2) {
            Shape rows = shape.slice(0, n - 1);
            Shape columns = shape.slice(0, n - 2).add(shape.get(n - 1));
            return new Moments(stateTensor(p, "exp_avg_sq_row", rows), stateTensor(p, "exp_avg_sq_col", columns), null,
                    expAvg);
        }
        return new Moments(null, null, stateTensor(p, "exp_avg_sq", shape), expAvg);
    }

    @Override
    protected double update(Moments s, ParameterView p, int group, long t) {
        double rho = stepSize(group, t);
        // beta2 grows towards 1 as 1 - t^decayRate: 0 at the first step, so the estimate starts from one gradient.
        double beta2t = 1 - Math.pow(t, h.decayRate());
        FloatBuffer[] memory = loops == null ? null : HostLoops.memoryOf(memoryOrder(s, p));
        if (memory != null) {
            FloatBuffer expAvg = s.expAvg() == null ? null : memory[memory.length - 1];
            if (!s.factored()) {
                return loops.full(rho, beta2t, memory[0], memory[1], memory[2], expAvg);
            }
            Shape shape = p.value().getShape();
            int n = shape.dimension();
            return loops.factored(rho, beta2t, memory[0], memory[1], memory[2], memory[3], expAvg,
                    Math.toIntExact(shape.get(n - 2)), Math.toIntExact(shape.get(n - 1)));
        }

        NDArray w = p.value();
        NDArray g = p.gradient();
        // The step size is relative to the parameter's scale, measured before this update.
        double lr = rho * (h.scaleParameter() ? Math.max(h.eps2(), rms(w)) : 1.0);
        NDArray u = s.factored() ? factoredUpdate(s, g, beta2t) : fullUpdate(s, g, beta2t);
        // Clip the update to an RMS of clipThreshold, then scale it by the learning rate (one multiplication).
        u.muli(scalar(lr / Math.max(rms(u) / h.clipThreshold(), 1.0), u));
        if (h.beta1() != null) {
            s.expAvg().muli(scalar(h.beta1(), u)).addi(u.muli(scalar(1 - h.beta1(), u)));
            u = s.expAvg();
        }
        if (h.weightDecay() != 0) {
            w.muli(scalar(1 - h.weightDecay() * lr, w));
        }
        w.subi(u);
        return lr;
    }

    /** [w, g, R, C] or [w, g, V], then the first moment if there is one. */
    private static NDArray[] memoryOrder(Moments s, ParameterView p) {
        List<NDArray> arrays = new ArrayList<>(List.of(p.value(), p.gradient()));
        if (s.factored()) {
            arrays.add(s.row());
            arrays.add(s.column());
        } else {
            arrays.add(s.full());
        }
        if (s.expAvg() != null) {
            arrays.add(s.expAvg());
        }
        return arrays.toArray(NDArray[]::new);
    }

    /** rho_t = min(1e-2, 1/sqrt(t)) (warm-up: min(1e-6 t, 1/sqrt(t))) in relative mode, else the group's rate. */
    private double stepSize(int group, long t) {
        if (!h.relativeStep()) {
            return learningRate(group);
        }
        return Math.min(h.warmupInit() ? 1e-6 * t : 1e-2, 1 / Math.sqrt(t));
    }

    /**
     * R = beta2t R + (1-beta2t) mean_cols(g^2 + eps1),  C = beta2t C + (1-beta2t) mean_rows(g^2 + eps1),
     * u = g / sqrt(R_i C_j / mean(R)): the rank-1 estimate of the second moment.
     */
    private NDArray factoredUpdate(Moments s, NDArray g, double beta2t) {
        NDArray beta2 = scalar(beta2t, g);
        NDArray oneMinusBeta2 = scalar(1 - beta2t, g);
        NDArray eps1 = scalar(h.eps1(), g);
        NDArray squared = g.square();
        // eps1 is added to the (small) means rather than to every g^2: the same number, one pass fewer.
        s.row().muli(beta2).addi(squared.mean(LAST).addi(eps1).muli(oneMinusBeta2));
        s.column().muli(beta2).addi(squared.mean(SECOND_TO_LAST).addi(eps1).muli(oneMinusBeta2));

        NDArray rowFactor = s.row().mean(LAST, true).div(s.row()).sqrt();     // 1/sqrt(R_i / mean(R))
        NDArray columnFactor = s.column().pow(scalar(-0.5, g));                // 1/sqrt(C_j)
        return g.mul(rowFactor.expandDims(-1)).muli(columnFactor.expandDims(-2));
    }

    /** V = beta2t V + (1-beta2t)(g^2 + eps1),  u = g / sqrt(V). */
    private NDArray fullUpdate(Moments s, NDArray g, double beta2t) {
        s.full().muli(scalar(beta2t, g)).addi(g.square().addi(scalar(h.eps1(), g)).muli(scalar(1 - beta2t, g)));
        return g.mul(s.full().pow(scalar(-0.5, g)));
    }

    /** Root mean square, ||x|| / sqrt(n), read back to the host. */
    private static double rms(NDArray x) {
        NDArray norm = x.norm();
        double value = norm.getDataType() == DataType.FLOAT64 ? norm.getDouble() : norm.getFloat();
        return value / Math.sqrt(x.size());
    }

    @Override
    protected Map<String, String> settings() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("relativeStep", Boolean.toString(h.relativeStep()));
        values.put("scaleParameter", Boolean.toString(h.scaleParameter()));
        values.put("warmupInit", Boolean.toString(h.warmupInit()));
        values.put("eps", "[" + h.eps1() + ", " + h.eps2() + "]");
        values.put("clipThreshold", Double.toString(h.clipThreshold()));
        values.put("decayRate", Double.toString(h.decayRate()));
        values.put("beta1", String.valueOf(h.beta1()));
        values.put("weightDecay", Double.toString(h.weightDecay()));
        return values;
    }
}
