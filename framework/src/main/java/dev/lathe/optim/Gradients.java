package dev.lathe.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.lathe.api.optim.Parameter;
import dev.lathe.runtime.HostLoops;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a training loop does with the gradients of its parameters between {@code backward()} and
 * the next step, besides the optimizer update: clipping their global norm (kohya-ss'
 * {@code --max_grad_norm}, default 1.0) and clearing them (DJL never clears gradients, so they
 * would otherwise accumulate over steps).
 *
 * <p>Gradients of float32 CPU arrays are read and scaled by Java loops over their memory
 * ({@link HostLoops}), one parameter per thread; others (GPU, float16, float64) by DJL
 * operations. Parameters without a gradient (none required, or no backward reached them yet) are
 * skipped. Works on any thread: nothing here is recorded by autograd.
 */
public final class Gradients {

    /** Added to the norm before dividing, as {@code torch.nn.utils.clip_grad_norm_} does. */
    static final float CLIP_EPSILON = 1e-6f;

    private Gradients() {
    }

    /**
     * The L2 norm of all gradients taken together, {@code sqrt(Σ_p Σ_i g_pi²)} (norm type 2 of
     * {@code clip_grad_norm_}), accumulated in double precision.
     */
    public static double globalNorm(List<Parameter> parameters) {
        try (Collected g = Collected.of(parameters)) {
            return g.norm();
        }
    }

    /**
     * Clips the global gradient norm to {@code maxNorm}, step for step as {@code
     * torch.nn.utils.clip_grad_norm_(parameters, maxNorm)}: with {@code n} the {@link #globalNorm},
     * every gradient is multiplied by {@code min(1, maxNorm / (n + 1e-6))}, the factor computed in
     * float32 as PyTorch does (the reciprocal of {@code n + 1e-6}, times {@code maxNorm}). A factor
     * of 1 leaves the gradients untouched (PyTorch multiplies by 1, which changes nothing).
     * Non-finite gradients are not caught (PyTorch's default, no {@code error_if_nonfinite}): an
     * infinite norm gives the factor 0 (infinite entries become NaN, the rest 0), a NaN norm
     * makes every gradient NaN, as in PyTorch.
     *
     * @param maxNorm the largest norm allowed, {@code > 0}
     * @return the global norm before clipping (what kohya logs as the gradient norm)
     */
    public static double clipGlobalNorm(List<Parameter> parameters, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("the maximal gradient norm must be > 0, got " + maxNorm);
        }
        try (Collected g = Collected.of(parameters)) {
            double norm = g.norm();
            float factor = clipFactor(norm, maxNorm);
            if (!(factor >= 1f)) {
                g.scale(factor);
            }
            return norm;
        }
    }

    /** {@code min(1, maxNorm / (norm + 1e-6))} in float32, in PyTorch's order of operations. */
    static float clipFactor(double norm, double maxNorm) {
        float coefficient = (1f / ((float) norm + CLIP_EPSILON)) * (float) maxNorm;
        return coefficient > 1f ? 1f : coefficient; // keeps NaN, as torch.clamp does
    }

    /** Sets every gradient to zero, in place (the arrays stay allocated for the next backward). */
    public static void clear(List<Parameter> parameters) {
        for (Parameter p : parameters) {
            NDArray value = p.value();
            if (value.hasGradient() && value instanceof PtNDArray array) {
                JniUtils.zeroGrad(array); // grad().zero_() under no-grad; nothing if there is no gradient yet
            } else if (value.hasGradient()) {
                try (NDArray gradient = value.getGradient()) {
                    gradient.subi(gradient);
                }
            }
        }
    }

    /** The gradients of some parameters, with the memory of those Java loops can work on. */
    private static final class Collected implements AutoCloseable {

        private final List<NDArray> gradients;
        /** Per gradient: its float32 memory, or null for the DJL path. */
        private final FloatBuffer[] memory;

        private Collected(List<NDArray> gradients) {
            this.gradients = gradients;
            this.memory = new FloatBuffer[gradients.size()];
            for (int k = 0; k < memory.length; k++) {
                FloatBuffer[] m = HostLoops.memoryOf(gradients.get(k));
                memory[k] = m == null ? null : m[0];
            }
        }

        static Collected of(List<Parameter> parameters) {
            List<NDArray> gradients = new ArrayList<>();
            for (Parameter p : parameters) {
                if (p.value().hasGradient()) {
                    gradients.add(p.value().getGradient());
                }
            }
            return new Collected(gradients);
        }

        double norm() {
            double[] squares = new double[gradients.size()];
            HostLoops.forEach(squares.length, k -> {
                if (memory[k] != null) {
                    squares[k] = sumOfSquares(memory[k]);
                }
            });
            for (int k = 0; k < squares.length; k++) {
                if (memory[k] == null) {
                    squares[k] = sumOfSquares(gradients.get(k));
                }
            }
            double total = 0;
            for (double s : squares) {
                total += s; // a fixed order: the same norm whichever thread summed which gradient
            }
            return Math.sqrt(total);
        }

        void scale(float factor) {
            HostLoops.forEach(gradients.size(), k -> {
                if (memory[k] != null) {
                    FloatBuffer g = memory[k];
                    for (int i = 0, n = g.capacity(); i < n; i++) {
                        g.put(i, g.get(i) * factor);
                    }
                }
            });
            for (int k = 0; k < memory.length; k++) {
                if (memory[k] == null) {
                    NDArray g = gradients.get(k);
                    try (NDArray f = g.getManager().full(new Shape(), factor, g.getDataType())) {
                        g.muli(f);
                    }
                }
            }
        }

        @Override
        public void close() {
            gradients.forEach(NDArray::close);
        }
    }

    /** Σ g² in double, four partial sums so that the loop is not one long chain of dependent additions. */
    private static double sumOfSquares(FloatBuffer g) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int n = g.capacity();
        int i = 0;
        for (; i + 3 < n; i += 4) {
            double a = g.get(i);
            double b = g.get(i + 1);
            double c = g.get(i + 2);
            double d = g.get(i + 3);
            s0 += a * a;
            s1 += b * b;
            s2 += c * c;
            s3 += d * d;
        }
        for (; i < n; i++) {
            double a = g.get(i);
            s0 += a * a;
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double sumOfSquares(NDArray gradient) {
        try (NDArray wide = gradient.toType(DataType.FLOAT64, true); NDArray squared = wide.square();
                NDArray sum = squared.sum()) {
            return sum.getDouble();
        }
    }
}
