package dev.lathe.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lathe.api.optim.Parameter;
import java.util.List;

/**
 * Clipping of the global gradient norm, as {@code torch.nn.utils.clip_grad_norm_} does it for
 * kohya's {@code --max_grad_norm}: with {@code n} the L2 norm over every gradient together, every
 * gradient is multiplied by {@code min(1, maxNorm / (n + 1e-6))}.
 */
public final class GradientClipping {

    private GradientClipping() {
    }

    /**
     * Clips the gradients of {@code parameters} in place; parameters without a gradient are
     * skipped. Returns the norm before clipping (for logging).
     */
    public static double clipGlobalNorm(List<Parameter> parameters, double maxNorm) {
        double sumOfSquares = 0;
        for (Parameter p : parameters) {
            if (!p.value().hasGradient()) {
                continue;
            }
            try (NDArray g = p.value().getGradient(); NDManager scratch = g.getManager().newSubManager()) {
                NDArray norm = g.norm();
                norm.attach(scratch);
                double n = norm.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
                sumOfSquares += n * n;
            }
        }
        double total = Math.sqrt(sumOfSquares);
        double coefficient = maxNorm / (total + 1e-6);
        if (coefficient < 1) {
            for (Parameter p : parameters) {
                if (p.value().hasGradient()) {
                    try (NDArray g = p.value().getGradient()) {
                        g.muli((float) coefficient);
                    }
                }
            }
        }
        return total;
    }
}
