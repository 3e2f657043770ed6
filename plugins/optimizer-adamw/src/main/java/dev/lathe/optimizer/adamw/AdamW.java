package dev.lathe.optimizer.adamw;

import ai.djl.ndarray.NDArray;
import dev.lathe.optim.AbstractOptimizer;
import dev.lathe.api.optim.Parameter;
import dev.lathe.api.optim.ParameterGroup;
import dev.lathe.optim.ParameterView;
import dev.lathe.runtime.HostLoops;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter), step for step as
 * {@code torch.optim.AdamW}: the decay shrinks the weights directly instead of entering the
 * gradient, and {@code eps} is added after the bias correction of the second moment.
 *
 * <pre>
 *   w  = w * (1 - lr*weightDecay)
 *   m  = beta1*m + (1-beta1)*g                 v = beta2*v + (1-beta2)*g^2    (amsgrad: vmax = max(vmax, v))
 *   w -= lr/(1-beta1^t) * m / (sqrt(v)/sqrt(1-beta2^t) + eps)
 * </pre>
 *
 * <p>The update is written twice: as one loop over memory ({@link #fusedStep}), used for
 * float32 work in CPU memory (float16 parameters included, through their float32 working copy),
 * and as DJL operations for everything else (GPU, float64). The loop reads and writes each array
 * once where the operations pass over memory a dozen times, and parameters are updated side by
 * side on libtorch's number of threads; that is what makes an SD 1.5 LoRA step faster than
 * PyTorch's (docs/PERFORMANCE.md). Both forms are checked against the same reference traces.
 */
final class AdamW extends AbstractOptimizer<AdamW.Moments> {

    record Hyperparameters(double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
    }

    /** Running averages of the gradient and its square (and the square's running maximum for AMSGrad). */
    record Moments(NDArray expAvg, NDArray expAvgSq, NDArray maxExpAvgSq) {
    }

    private final Hyperparameters h;
    private final boolean fused;
    private final boolean onHost;

    AdamW(List<ParameterGroup> groups, Hyperparameters hyperparameters) {
        this(groups, hyperparameters, true);
    }

    /** {@code fused = false} always takes the DJL-operation path (tests compare the two). */
    AdamW(List<ParameterGroup> groups, Hyperparameters hyperparameters, boolean fused) {
        super(AdamWFactory.ID, groups);
        groups.forEach(g -> g.requireLearningRate(AdamWFactory.ID));
        this.h = hyperparameters;
        this.fused = fused;
        this.onHost = computesOnHostInFloat32();
    }

    /** The fused loop updates one parameter per thread; the DJL form uses libtorch's threads. */
    @Override
    protected boolean updatesInParallel() {
        return fused && onHost;
    }

    @Override
    public boolean ownsSchedule() {
        return false;
    }

    @Override
    protected Moments newState(Parameter p) {
        var shape = p.value().getShape();
        return new Moments(stateTensor(p, "exp_avg", shape), stateTensor(p, "exp_avg_sq", shape),
                h.amsgrad() ? stateTensor(p, "max_exp_avg_sq", shape) : null);
    }

    @Override
    protected double update(Moments s, ParameterView p, int group, long t) {
        double lr = learningRate(group);
        double decay = 1 - lr * h.weightDecay();
        double stepSize = lr / (1 - Math.pow(h.beta1(), t));
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(h.beta2(), t));

        FloatBuffer[] memory = fused ? HostLoops.memoryOf(memoryOrder(s, p)) : null;
        if (memory != null) {
            fusedStep(memory, (float) decay, (float) stepSize, (float) (1 / biasCorrection2Sqrt));
            return lr;
        }

        NDArray w = p.value();
        NDArray g = p.gradient();
        // Decoupled weight decay, applied to the weights before this step's update.
        if (h.weightDecay() != 0) {
            w.muli(scalar(decay, w));
        }
        // m = beta1*m + (1-beta1)*g, written as g + beta1*(m - g): no temporary.
        s.expAvg().subi(g).muli(scalar(h.beta1(), w)).addi(g);
        // v = beta2*v + (1-beta2)*g^2
        s.expAvgSq().muli(scalar(h.beta2(), w)).addi(g.square().muli(scalar(1 - h.beta2(), w)));
        NDArray v = s.expAvgSq();
        if (h.amsgrad()) {
            s.maxExpAvgSq().intern(s.maxExpAvgSq().maximum(v)); // vmax = max(vmax, v), same array object
            v = s.maxExpAvgSq();
        }
        if (stepSize == 0) {
            return lr; // a schedule's lr = 0 (first warm-up step): moments advance, weights stay
        }
        // w -= stepSize * m / (sqrt(v)/sqrt(1-beta2^t) + eps); dividing the denominator by
        // stepSize instead of multiplying the quotient saves a pass over memory.
        NDArray denominator = v.sqrt().muli(scalar(1 / (biasCorrection2Sqrt * stepSize), w))
                .addi(scalar(h.eps() / stepSize, w));
        w.subi(s.expAvg().div(denominator));
        return lr;
    }

    private static NDArray[] memoryOrder(Moments s, ParameterView p) {
        return s.maxExpAvgSq() == null
                ? new NDArray[] {p.value(), p.gradient(), s.expAvg(), s.expAvgSq()}
                : new NDArray[] {p.value(), p.gradient(), s.expAvg(), s.expAvgSq(), s.maxExpAvgSq()};
    }

    /**
     * The update above as one loop over float32 memory {@code [w, g, m, v(, vmax)]}, in
     * PyTorch's order of operations except that the bias correction of sqrt(v) is a
     * multiplication by its inverse (one division per element instead of two).
     */
    private void fusedStep(FloatBuffer[] memory, float decay, float stepSize, float inverseBiasCorrection2Sqrt) {
        FloatBuffer w = memory[0];
        FloatBuffer g = memory[1];
        FloatBuffer m = memory[2];
        FloatBuffer v = memory[3];
        FloatBuffer vmax = h.amsgrad() ? memory[4] : null;
        float beta1 = (float) h.beta1();
        float oneMinusBeta1 = (float) (1 - h.beta1());
        float beta2 = (float) h.beta2();
        float oneMinusBeta2 = (float) (1 - h.beta2());
        float eps = (float) h.eps();
        for (int i = 0, n = w.capacity(); i < n; i++) {
            float gi = g.get(i);
            float mi = m.get(i) * beta1 + oneMinusBeta1 * gi;
            float vi = v.get(i) * beta2 + oneMinusBeta2 * gi * gi;
            m.put(i, mi);
            v.put(i, vi);
            if (vmax != null) {
                vi = Math.max(vmax.get(i), vi);
                vmax.put(i, vi);
            }
            float denominator = (float) Math.sqrt(vi) * inverseBiasCorrection2Sqrt + eps;
            w.put(i, w.get(i) * decay - stepSize * (mi / denominator));
        }
    }

    @Override
    protected Map<String, String> settings() {
        return Map.of("betas", "[" + h.beta1() + ", " + h.beta2() + "]", "eps", Double.toString(h.eps()),
                "weightDecay", Double.toString(h.weightDecay()), "amsgrad", Boolean.toString(h.amsgrad()));
    }
}
