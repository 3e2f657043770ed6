package dev.lathe.sampling;

/**
 * How {@code steps} sampling steps divide the model's noise range: the noise levels σ<sub>0</sub>
 * &gt; σ<sub>1</sub> &gt; … &gt; σ<sub>steps</sub> a sampler walks through. Every schedule returns
 * {@code steps + 1} values whose arithmetic is float32, as the reference's (see each constant); they
 * are handed out as {@code double}s holding float32 values.
 */
public enum Schedule {

    /**
     * k-diffusion's {@code CompVisDenoiser.get_sigmas}, AUTOMATIC1111's "Automatic"/uniform for SD:
     * timesteps {@code linspace(size - 1, 0, steps)} in float32, their σ by
     * {@link SigmaTable#tToSigma(float)}, then a final 0.
     */
    DEFAULT {
        @Override
        public double[] sigmas(SigmaTable table, int steps) {
            requireSteps(steps);
            float[] t = linspace(table.size() - 1, 0, steps);
            double[] out = new double[steps + 1];
            for (int k = 0; k < steps; k++) {
                out[k] = table.tToSigma(t[k]);
            }
            return out;
        }
    },

    /**
     * Karras et al. (2022), ρ = 7, between the table's σ<sub>min</sub> and σ<sub>max</sub>:
     * {@code (max^(1/7) + ramp_k (min^(1/7) - max^(1/7)))^7} with {@code ramp = linspace(0, 1, steps)}
     * in float32 (the 7th roots and their difference in float64, as k-diffusion takes them from
     * Python floats), then a final 0.
     */
    KARRAS {
        @Override
        public double[] sigmas(SigmaTable table, int steps) {
            return karras(table.sigmaMin(), table.sigmaMax(), steps, 7.0);
        }
    },

    /**
     * The timesteps diffusers' {@code DDIMScheduler} (and AUTOMATIC1111's DDIM) visit with
     * {@code timestep_spacing="leading"} and {@code steps_offset=1}: {@code k·(size / steps) + 1} for
     * k = steps−1 … 0, each as its table σ (so the model sees the integer timestep), then σ of
     * timestep 0 — not 0: with {@code set_alpha_to_one=False} the last step lands on ā<sub>0</sub>.
     */
    DDIM {
        @Override
        public double[] sigmas(SigmaTable table, int steps) {
            requireSteps(steps);
            int ratio = table.size() / steps;
            if (ratio < 1) {
                throw new IllegalArgumentException("DDIM cannot take more steps (" + steps + ") than the model has timesteps ("
                        + table.size() + ")");
            }
            double[] out = new double[steps + 1];
            for (int k = 0; k < steps; k++) {
                out[k] = table.sigma((steps - 1 - k) * ratio + 1);
            }
            out[steps] = table.sigmaMin();
            return out;
        }
    };

    /** The {@code steps + 1} noise levels for {@code steps} steps of a model with this table. */
    public abstract double[] sigmas(SigmaTable table, int steps);

    /**
     * The Karras schedule between {@code sigmaMin} and {@code sigmaMax} with exponent {@code rho}
     * (7 in every UI), float32 arithmetic as k-diffusion's {@code get_sigmas_karras}, plus a final 0.
     */
    public static double[] karras(double sigmaMin, double sigmaMax, int steps, double rho) {
        requireSteps(steps);
        double minRoot = Math.pow(sigmaMin, 1 / rho);
        double maxRoot = Math.pow(sigmaMax, 1 / rho);
        float span = (float) (minRoot - maxRoot); // a Python float difference, then a float32 scalar
        float[] ramp = linspace(0, 1, steps);
        double[] out = new double[steps + 1];
        for (int k = 0; k < steps; k++) {
            float base = (float) maxRoot + ramp[k] * span;
            out[k] = (float) Math.pow(base, rho);
        }
        return out;
    }

    /**
     * {@code torch.linspace(start, end, n)} in float32, as libtorch 2.x computes it on the CPU: step
     * {@code (end - start) / (n - 1)}; the first half counted up from {@code start}, the second half
     * down from {@code end}, each value one fused multiply-add (the compiler fuses
     * {@code start + step * i}). Bit-identical to the libtorch Lathe runs on; PyTorch 1.x's
     * vectorized kernel rounded some values one unit differently.
     */
    static float[] linspace(float start, float end, int n) {
        float[] out = new float[n];
        if (n == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (n - 1);
        int half = n / 2;
        for (int i = 0; i < n; i++) {
            out[i] = i < half ? Math.fma(step, (float) i, start) : Math.fma(-step, (float) (n - 1 - i), end);
        }
        return out;
    }

    private static void requireSteps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("A schedule needs at least 1 step, got " + steps);
        }
    }
}
