package dev.lathe.sampling;

import dev.lathe.train.diffusion.NoiseSchedule;
import java.util.Arrays;

/**
 * A discrete-time diffusion model's noise levels, the way k-diffusion's {@code CompVisDenoiser}
 * (and with it AUTOMATIC1111 and ComfyUI) sees a Stable Diffusion checkpoint: from the model's
 * {@code alphas_cumprod} table ā<sub>j</sub>, timestep j has noise level
 * σ<sub>j</sub> = sqrt((1 − ā<sub>j</sub>) / ā<sub>j</sub>), kept in float32 as the reference
 * keeps it, with its natural logarithm. Continuous timesteps interpolate log σ linearly.
 *
 * <p>Conversions come in two precisions, because the reference computes them in the precision of
 * the tensors it is handed: {@code float} methods do float32 arithmetic (what a float32 pipeline
 * does; {@code samplers.json → compvis_conversions} holds their reference values), {@code double}
 * methods do float64 arithmetic on the same float32 table. Logarithms and exponentials are
 * computed in float64 and rounded once, so the float32 results are correctly rounded; PyTorch's
 * vectorized float32 log/exp are not always, and differ from them in the last place now and then
 * (11 of the 1,000 log σ of SD's table, for instance).
 */
public final class SigmaTable {

    private final float[] alphasCumprod;
    private final float[] sigmas;
    private final float[] logSigmas;

    private SigmaTable(float[] alphasCumprod) {
        this.alphasCumprod = alphasCumprod;
        this.sigmas = new float[alphasCumprod.length];
        this.logSigmas = new float[alphasCumprod.length];
        for (int j = 0; j < alphasCumprod.length; j++) {
            float a = alphasCumprod[j];
            sigmas[j] = (float) Math.sqrt((1f - a) / a); // float32 ops; sqrt via double is exactly rounded
            logSigmas[j] = (float) StrictMath.log(sigmas[j]);
        }
    }

    /**
     * The table of a model with these {@code alphas_cumprod} (the checkpoint's own tensor where it
     * has one).
     *
     * @throws IllegalArgumentException unless there are at least two values, all in (0, 1) and
     *     strictly decreasing (noise grows with the timestep)
     */
    public static SigmaTable fromAlphasCumprod(float[] alphasCumprod) {
        if (alphasCumprod.length < 2) {
            throw new IllegalArgumentException("alphas_cumprod needs at least 2 timesteps, got " + alphasCumprod.length);
        }
        for (int j = 0; j < alphasCumprod.length; j++) {
            float a = alphasCumprod[j];
            if (!(a > 0f && a < 1f) || (j > 0 && !(a < alphasCumprod[j - 1]))) {
                throw new IllegalArgumentException("alphas_cumprod must lie in (0, 1) and decrease strictly; value " + j
                        + " is " + a + (j > 0 ? " after " + alphasCumprod[j - 1] : ""));
            }
        }
        return new SigmaTable(alphasCumprod.clone());
    }

    /**
     * The table of Stable Diffusion 1.x, 2.x and SDXL (1,000 timesteps, scaled-linear betas from
     * 0.00085 to 0.012) as a checkpoint loaded the CompVis way holds it and the UIs derive their
     * sigmas from: {@link NoiseSchedule#samplingAlphasCumprod()}. For checkpoints that do not store
     * {@code alphas_cumprod}.
     */
    public static SigmaTable stableDiffusion() {
        return new SigmaTable(NoiseSchedule.stableDiffusion().samplingAlphasCumprod());
    }

    /** The number of discrete timesteps (1,000 for SD). */
    public int size() {
        return sigmas.length;
    }

    /** A copy of ā, indexed by timestep. */
    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** A copy of σ, indexed by timestep, ascending. */
    public float[] sigmas() {
        return sigmas.clone();
    }

    /** A copy of ln σ, indexed by timestep. */
    public float[] logSigmas() {
        return logSigmas.clone();
    }

    /** σ of timestep {@code j}. */
    public float sigma(int j) {
        return sigmas[j];
    }

    /** The smallest noise level, σ of timestep 0 (0.0292 for SD). */
    public float sigmaMin() {
        return sigmas[0];
    }

    /** The largest noise level, σ of the last timestep (14.61 for SD). */
    public float sigmaMax() {
        return sigmas[sigmas.length - 1];
    }

    /**
     * The fractional timestep of noise level {@code sigma}, in float32 arithmetic: with
     * {@code ls = ln sigma} and {@code low} the last timestep whose ln σ is at most {@code ls} (0 if
     * none, at most {@code size() - 2}), {@code w = clamp((lsLow - ls) / (lsLow - lsHigh), 0, 1)}
     * and {@code t = (1 - w) low + w (low + 1)}. Noise levels beyond the table clamp to its ends.
     */
    public float sigmaToT(float sigma) {
        float ls = (float) StrictMath.log(sigma);
        int low = lowIndex(ls);
        float w = (logSigmas[low] - ls) / (logSigmas[low] - logSigmas[low + 1]);
        w = Math.max(0f, Math.min(1f, w));
        return (1f - w) * low + w * (low + 1);
    }

    /** {@link #sigmaToT(float)} in float64 arithmetic (on the float32 table). */
    public double sigmaToT(double sigma) {
        double ls = StrictMath.log(sigma);
        int low = lowIndex(ls);
        double w = ((double) logSigmas[low] - ls) / ((double) logSigmas[low] - logSigmas[low + 1]);
        w = Math.max(0.0, Math.min(1.0, w));
        return (1.0 - w) * low + w * (low + 1);
    }

    /** The timestep whose ln σ is nearest to ln {@code sigma} (the lower one on a tie). */
    public int sigmaToTQuantized(double sigma) {
        double ls = StrictMath.log(sigma);
        int best = 0;
        for (int j = 1; j < logSigmas.length; j++) {
            if (Math.abs(ls - logSigmas[j]) < Math.abs(ls - logSigmas[best])) {
                best = j;
            }
        }
        return best;
    }

    /** σ of fractional timestep {@code t} in [0, size() - 1], float32 arithmetic: exp of interpolated ln σ. */
    public float tToSigma(float t) {
        int low = (int) Math.floor(t);
        int high = (int) Math.ceil(t);
        float w = t - low;
        float ls = (1f - w) * logSigmas[low] + w * logSigmas[high];
        return (float) StrictMath.exp(ls);
    }

    /** {@link #tToSigma(float)} in float64 arithmetic (on the float32 table). */
    public double tToSigma(double t) {
        int low = (int) Math.floor(t);
        int high = (int) Math.ceil(t);
        double w = t - low;
        return StrictMath.exp((1.0 - w) * logSigmas[low] + w * logSigmas[high]);
    }

    /** The last index whose ln σ is at most {@code ls}, 0 if none, clamped to leave a right neighbour. */
    private int lowIndex(double ls) {
        int at = Arrays.binarySearch(logSigmas, (float) ls);
        // Binary search on the float table, then settle by exact comparison in the caller's precision.
        int low = at >= 0 ? at : -at - 2;
        low = Math.max(0, Math.min(low, logSigmas.length - 1));
        while (low + 1 < logSigmas.length && logSigmas[low + 1] <= ls) {
            low++;
        }
        while (low > 0 && logSigmas[low] > ls) {
            low--;
        }
        return Math.min(low, logSigmas.length - 2);
    }
}
