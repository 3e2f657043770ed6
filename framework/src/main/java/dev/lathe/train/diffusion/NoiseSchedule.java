package dev.lathe.train.diffusion;

/**
 * The DDPM noise schedule of SD 1.x and SDXL: scaled-linear betas from 0.00085 to 0.012 over 1000
 * timesteps, and the tables derived from it.
 *
 * <p>Two versions of {@code alphas_cumprod} exist in the wild and differ by up to 5e-7:
 * <ul>
 * <li>the <b>training</b> table ({@link #alphasCumprod()}), as diffusers' {@code DDPMScheduler}
 *     builds it for kohya-ss: betas from a float32 linspace of their square roots, squared in
 *     float32, {@code alphas = 1 - betas} in float32, then the running product (PyTorch
 *     accumulates a float32 cumprod in float64 on the CPU and rounds each entry to float32);
 * <li>the <b>sampling</b> table ({@link #samplingAlphasCumprod()}), as a checkpoint loaded the
 *     CompVis way holds it and inference UIs derive their sigmas from: everything in float64
 *     ({@code register_schedule}), rounded to float32 at the end.
 * </ul>
 * Training maths uses the first, samplers the second.
 *
 * <p>Immutable; the accessors return copies.
 */
public final class NoiseSchedule {

    /** Timesteps of every Stable Diffusion training schedule. */
    public static final int SD_TIMESTEPS = 1000;
    public static final double SD_BETA_START = 0.00085;
    public static final double SD_BETA_END = 0.012;

    private final float[] betas;
    private final float[] alphas;
    private final float[] alphasCumprod;
    private final float[] sqrtAlphasCumprod;
    private final float[] sqrtOneMinusAlphasCumprod;
    private final float[] snr;
    private final double[] betasF64;
    private final double[] alphasCumprodF64;

    private NoiseSchedule(double betaStart, double betaEnd, int timesteps) {
        int n = timesteps;
        betas = new float[n];
        alphas = new float[n];
        alphasCumprod = new float[n];
        sqrtAlphasCumprod = new float[n];
        sqrtOneMinusAlphasCumprod = new float[n];
        snr = new float[n];

        float[] roots = float32Linspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), n);
        double product = 1.0;
        for (int t = 0; t < n; t++) {
            betas[t] = roots[t] * roots[t];
            alphas[t] = 1f - betas[t];
            product *= alphas[t];
            alphasCumprod[t] = (float) product;
            sqrtAlphasCumprod[t] = (float) Math.sqrt(alphasCumprod[t]);
            sqrtOneMinusAlphasCumprod[t] = (float) Math.sqrt(1f - alphasCumprod[t]);
            // kohya's all_snr: (sqrt(a) / sqrt(1 - a))^2, each step in float32
            float ratio = sqrtAlphasCumprod[t] / sqrtOneMinusAlphasCumprod[t];
            snr[t] = ratio * ratio;
        }

        betasF64 = new double[n];
        alphasCumprodF64 = new double[n];
        double[] rootsF64 = float64Linspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), n);
        double productF64 = 1.0;
        for (int t = 0; t < n; t++) {
            betasF64[t] = rootsF64[t] * rootsF64[t];
            productF64 *= 1.0 - betasF64[t];
            alphasCumprodF64[t] = productF64;
        }
    }

    /** The schedule of SD 1.x, SD 2.x and SDXL training. */
    public static NoiseSchedule stableDiffusion() {
        return scaledLinear(SD_BETA_START, SD_BETA_END, SD_TIMESTEPS);
    }

    /**
     * diffusers' {@code beta_schedule="scaled_linear"}: {@code beta_t = (sqrt(start) + t *
     * (sqrt(end) - sqrt(start)) / (T - 1))^2}.
     */
    public static NoiseSchedule scaledLinear(double betaStart, double betaEnd, int timesteps) {
        if (timesteps < 2 || !(betaStart > 0) || !(betaEnd > betaStart) || !(betaEnd < 1)) {
            throw new IllegalArgumentException("need 0 < betaStart < betaEnd < 1 and at least 2 timesteps, got "
                    + betaStart + ", " + betaEnd + ", " + timesteps);
        }
        return new NoiseSchedule(betaStart, betaEnd, timesteps);
    }

    /** Number of timesteps T; timesteps are 0 .. T-1. */
    public int timesteps() {
        return betas.length;
    }

    public float[] betas() {
        return betas.clone();
    }

    public float[] alphas() {
        return alphas.clone();
    }

    /** The training table: {@code alphas_cumprod} as kohya's DDPMScheduler holds it (float32 cumprod). */
    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    public float[] sqrtAlphasCumprod() {
        return sqrtAlphasCumprod.clone();
    }

    public float[] sqrtOneMinusAlphasCumprod() {
        return sqrtOneMinusAlphasCumprod.clone();
    }

    /** The signal-to-noise ratio {@code a / (1 - a)} per timestep, computed as kohya's {@code all_snr}. */
    public float[] snr() {
        return snr.clone();
    }

    /** Betas computed in float64 (CompVis {@code register_schedule}). */
    public double[] betasF64() {
        return betasF64.clone();
    }

    /** {@code alphas_cumprod} computed in float64 throughout. */
    public double[] alphasCumprodF64() {
        return alphasCumprodF64.clone();
    }

    /** The sampling table: the float64 product rounded to float32, as a CompVis-loaded checkpoint holds it. */
    public float[] samplingAlphasCumprod() {
        float[] out = new float[alphasCumprodF64.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = (float) alphasCumprodF64[t];
        }
        return out;
    }

    public float alphaCumprod(int timestep) {
        return alphasCumprod[timestep];
    }

    public float sqrtAlphaCumprod(int timestep) {
        return sqrtAlphasCumprod[timestep];
    }

    public float sqrtOneMinusAlphaCumprod(int timestep) {
        return sqrtOneMinusAlphasCumprod[timestep];
    }

    public float snr(int timestep) {
        return snr[timestep];
    }

    /**
     * {@code torch.linspace(start, end, n, dtype=float32)} as PyTorch's CPU kernel computes it, bit
     * for bit (the textbook formula differs in the last bit for about a quarter of the values,
     * enough to move {@code alphas_cumprod} by 2e-7). The ends are rounded to float32 and the step
     * is computed in float32. The first half counts up from {@code start}, the second half down
     * from {@code end}, so both ends are exact. The AVX2 kernel fills chunks of two 256-bit vectors:
     * each vector starts at {@code start + step * i} (or {@code end - step * (n - 1 - i)}, by the
     * side its first index is on) as one fused multiply-add, and its lanes add {@code j * step} to
     * that; the values after the last whole chunk are computed one by one.
     */
    private static float[] float32Linspace(double start, double end, int n) {
        final int lanes = 8; // floats per 256-bit vector
        float from = (float) start;
        float to = (float) end;
        float step = (to - from) / (n - 1);
        int halfway = n / 2;
        int vectorized = n / (2 * lanes) * (2 * lanes);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            int first = i < vectorized ? i / lanes * lanes : i;
            float base = first < halfway ? Math.fma(step, first, from) : Math.fma(-step, n - first - 1, to);
            out[i] = base + (i - first) * step;
        }
        return out;
    }

    /**
     * {@code torch.linspace(start, end, n, dtype=float64)}, which CompVis' {@code
     * register_schedule} uses: the same kernel as {@link #float32Linspace} with 4 doubles per vector.
     */
    private static double[] float64Linspace(double start, double end, int n) {
        final int lanes = 4; // doubles per 256-bit vector
        double step = (end - start) / (n - 1);
        int halfway = n / 2;
        int vectorized = n / (2 * lanes) * (2 * lanes);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            int first = i < vectorized ? i / lanes * lanes : i;
            double base = first < halfway ? Math.fma(step, first, start) : Math.fma(-step, n - first - 1, end);
            out[i] = base + (i - first) * step;
        }
        return out;
    }
}
