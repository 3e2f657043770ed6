package dev.lathe.sampling;

/**
 * PyTorch's CPU random generator, re-implemented in Java: a seed gives the same numbers as
 * {@code torch.manual_seed(seed); torch.randn(n)} in PyTorch on an x86-64 CPU, bit for bit, on
 * every machine and device Lathe runs on (the values are made here, in Java, and copied to the
 * device). This is the noise of AUTOMATIC1111's "CPU" random-number source and ComfyUI's default,
 * so the same seed starts from the same latent as in those tools.
 *
 * <p><b>The algorithm</b>, as PyTorch's CPU kernels run it:
 * <ul>
 * <li>Engine: the 32-bit Mersenne Twister MT19937, seeded with the low 32 bits of the seed
 *     (PyTorch drops the high half, so seeds {@code s} and {@code s + 2^32} are the same stream).
 * <li>Uniform floats: the low 24 bits of one engine output times 2<sup>-24</sup>, in [0, 1).
 * <li>{@code randn} of 16 or more float32 values (every latent): first one uniform per element, in
 *     order; then Box–Muller on blocks of 16, pairing element {@code j} with {@code j + 8}:
 *     {@code r = sqrt(-2 ln(1 - u[j]))}, {@code θ = 2π u[j+8]}, {@code u[j] ← r cos θ},
 *     {@code u[j+8] ← r sin θ}. When the count is not a multiple of 16, the last 16 elements are
 *     drawn afresh (16 more engine outputs) and transformed again, overwriting what the last
 *     partial block left there.
 * <li>{@code randn} of fewer than 16 values: per element a float64 Box–Muller pair from two
 *     53-bit uniforms (two engine outputs each, the first the high word); the pair's second value
 *     is kept and returned by the next such draw.
 * </ul>
 *
 * <p><b>The float32 logarithm, sine and cosine.</b> PyTorch's x86-64 builds run the Box–Muller
 * blocks in their AVX2 kernel (also on CPUs with AVX-512, which reuse it), with Cephes-style
 * polynomial approximations (Pommier's {@code avx_mathfun}); those are not correctly rounded, so
 * the same formula with a libm gives different last bits on about 4 in 10 values. They are
 * re-created here operation by operation, including which multiply-adds the C++ compiler fused
 * into single-rounding FMAs (found by measurement: with any other choice some values differ).
 * Measured: every value of {@code torch.randn} and {@code torch.rand} from the libtorch 2.7.1 Lathe
 * runs on (20 seeds × 16,384 values, and the draws of {@code SamplerNoiseTest}) and from Debian's
 * PyTorch 1.13 ({@code torch_randn_reference.json}) is reproduced bit for bit. PyTorch on a CPU
 * without AVX2 (ARM, e.g. Apple silicon) uses its C library's functions instead; its noise differs
 * from this on about 4 values in 10, by up to 2.2e-6 (invisible in images, but not bit-identical).
 *
 * <p>Not thread-safe: one generator per image, used by one sampling loop.
 */
public final class TorchCpuGenerator {

    private static final int N = 624;
    private static final int M = 397;
    private static final int BLOCK = 16;

    private final int[] state = new int[N];
    private int next = N;
    /** Box–Muller's second value from a small draw, returned by the next small draw (PyTorch caches it too). */
    private double cachedNormal;
    private boolean hasCachedNormal;

    /** A generator in the state {@code torch.manual_seed(seed)} leaves the CPU generator in. */
    public TorchCpuGenerator(long seed) {
        state[0] = (int) seed; // only the low 32 bits count
        for (int i = 1; i < N; i++) {
            int previous = state[i - 1];
            state[i] = 1812433253 * (previous ^ (previous >>> 30)) + i;
        }
    }

    /** The next 32-bit engine output, as an unsigned value in an {@code int}. */
    public int nextInt() {
        if (next == N) {
            regenerate();
        }
        int y = state[next++];
        // MT19937's tempering: spreads the state's bits over the output.
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** A uniform float in [0, 1) the way {@code torch.rand} makes it: 24 random bits over 2^24. */
    public float nextUniformFloat() {
        return (nextInt() & 0xFFFFFF) * 0x1p-24f;
    }

    /** A uniform double in [0, 1): two engine outputs (the first the high word), 53 bits over 2^53. */
    public double nextUniformDouble() {
        long high = nextInt() & 0xFFFFFFFFL;
        long low = nextInt() & 0xFFFFFFFFL;
        return (((high << 32) | low) & ((1L << 53) - 1)) * 0x1p-53;
    }

    /** {@code count} standard-normal float32 values, the ones {@code torch.randn(count)} would draw next. */
    public float[] randn(int count) {
        float[] out = new float[count];
        randn(out);
        return out;
    }

    /** Fills {@code out} with the standard-normal values {@code torch.randn(out.length)} would draw next. */
    public void randn(float[] out) {
        int n = out.length;
        if (n < BLOCK) {
            for (int i = 0; i < n; i++) {
                out[i] = (float) nextSmallNormal();
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            out[i] = nextUniformFloat();
        }
        for (int i = 0; i + BLOCK <= n; i += BLOCK) {
            boxMuller16(out, i);
        }
        if (n % BLOCK != 0) {
            int tail = n - BLOCK;
            for (int i = 0; i < BLOCK; i++) {
                out[tail + i] = nextUniformFloat();
            }
            boxMuller16(out, tail);
        }
    }

    /** MT19937's twist: the next 624 words of state from the current ones, in place and in order. */
    private void regenerate() {
        for (int i = 0; i < N; i++) {
            int y = (state[i] & 0x80000000) | (state[(i + 1) % N] & 0x7fffffff);
            state[i] = state[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
        }
        next = 0;
    }

    /** The float64 Box–Muller PyTorch uses for draws of fewer than 16 values. */
    private double nextSmallNormal() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = nextUniformDouble();
        double u2 = nextUniformDouble();
        double radius = StrictMath.sqrt(-2.0 * StrictMath.log1p(-u2));
        double theta = 2.0 * StrictMath.PI * u1;
        cachedNormal = radius * StrictMath.sin(theta);
        hasCachedNormal = true;
        return radius * StrictMath.cos(theta);
    }

    // ---- Box–Muller on 16 floats, as PyTorch's AVX2 kernel computes it ---------------------------

    /** 2π rounded to float first: the kernel broadcasts it as a float constant. */
    private static final float TWO_PI = (float) (2.0 * Math.PI);

    /** Turns the 16 uniforms at {@code offset} into 16 normals, lane j with lane j + 8. */
    private static void boxMuller16(float[] data, int offset) {
        float[] sinCos = new float[2];
        for (int j = 0; j < 8; j++) {
            float u1 = 1f - data[offset + j]; // (0, 1]: the logarithm never sees 0
            float radius = (float) Math.sqrt(-2f * cephesLog(u1)); // sqrt of a float is exact-rounded
            cephesSinCos(TWO_PI * data[offset + j + 8], sinCos);
            // "+ 0f" is the kernel's "* std + mean" with std 1 and mean 0: it turns -0 into +0.
            data[offset + j] = radius * sinCos[1] + 0f;
            data[offset + j + 8] = radius * sinCos[0] + 0f;
        }
    }

    // Cephes single-precision logarithm: split x = m * 2^e with m in [sqrt(1/2), sqrt(2)), then
    // ln(1 + f) for f = m - 1 by a degree-9 polynomial, ln 2 split in two parts for exactness.
    private static final float SQRT_HALF = 0.707106781186547524f;
    private static final float[] LOG_POLY = {
        7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f, 1.4249322787E-1f,
        -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f};
    private static final float LN2_LOW = -2.12194440e-4f;
    private static final float LN2_HIGH = 0.693359375f;

    /** ln(x) for a positive normal float, rounded exactly as PyTorch's AVX2 kernel rounds it. */
    static float cephesLog(float x) {
        int bits = Float.floatToRawIntBits(x);
        float exponent = (float) ((bits >>> 23) - 127) + 1f;
        float m = Float.intBitsToFloat((bits & 0x807FFFFF) | 0x3F000000); // mantissa scaled into [0.5, 1)
        float f;
        if (m < SQRT_HALF) {
            exponent -= 1f;
            f = (m - 1f) + m; // 2m - 1, in the kernel's order
        } else {
            f = m - 1f;
        }
        float f2 = f * f;
        float p = LOG_POLY[0];
        for (int k = 1; k < LOG_POLY.length; k++) {
            p = Math.fma(p, f, LOG_POLY[k]); // fused by the compiler
        }
        p = p * f;
        p = Math.fma(p, f2, exponent * LN2_LOW); // fused: (p*f) * f2 + e*ln2_low
        p = p - f2 * 0.5f; // not fused
        return (f + p) + exponent * LN2_HIGH; // not fused
    }

    // Cephes single-precision sine and cosine: reduce by multiples of π/4 (π/4 split in three
    // parts), then a cosine or a sine polynomial on [-π/4, π/4] depending on the octant.
    private static final float FOUR_OVER_PI = 1.27323954473516f;
    private static final float PI4_A = -0.78515625f;
    private static final float PI4_B = -2.4187564849853515625e-4f;
    private static final float PI4_C = -3.77489497744594108e-8f;
    private static final float SIN_P0 = -1.9515295891E-4f;
    private static final float SIN_P1 = 8.3321608736E-3f;
    private static final float SIN_P2 = -1.6666654611E-1f;
    private static final float COS_P0 = 2.443315711809948E-005f;
    private static final float COS_P1 = -1.388731625493765E-003f;
    private static final float COS_P2 = 4.166664568298827E-002f;

    /** sin and cos of a float in [0, 2π) into {@code out[0]}, {@code out[1]}, rounded as the AVX2 kernel rounds them. */
    static void cephesSinCos(float x, float[] out) {
        int sinSign = Float.floatToRawIntBits(x) & 0x80000000;
        float a = Math.abs(x);
        int octant = ((int) (a * FOUR_OVER_PI) + 1) & ~1; // even: the nearest multiple of π/4 below or at
        float q = octant;
        int cosSign = (~(octant - 2) & 4) << 29;
        sinSign ^= (octant & 4) << 29;
        boolean sinFromSinPoly = (octant & 2) == 0;
        float r = a + q * PI4_A; // not fused
        r = r + q * PI4_B;
        r = r + q * PI4_C;
        float r2 = r * r;

        float c = Math.fma(COS_P0, r2, COS_P1); // fused
        c = Math.fma(c, r2, COS_P2);
        c = c * r2;
        c = Math.fma(c, r2, -(r2 * 0.5f)); // fused: (c*r2) * r2 - r2/2
        c = c + 1f;

        float s = Math.fma(SIN_P0, r2, SIN_P1); // fused
        s = Math.fma(s, r2, SIN_P2);
        s = s * r2;
        s = Math.fma(s, r, r); // fused: (s*r2) * r + r

        // The kernel selects with masks and adds a zero to each result; kept for -0.
        float sin = sinFromSinPoly ? 0f + s : c + 0f;
        float cos = sinFromSinPoly ? c + 0f : 0f + s;
        out[0] = Float.intBitsToFloat(Float.floatToRawIntBits(sin) ^ sinSign);
        out[1] = Float.intBitsToFloat(Float.floatToRawIntBits(cos) ^ cosSign);
    }
}
