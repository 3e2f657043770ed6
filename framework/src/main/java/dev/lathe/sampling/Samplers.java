package dev.lathe.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * The samplers, each a short loop over a {@link Denoiser} in the shape of k-diffusion's
 * {@code sampling.py}: {@code (model, x, sigmas, noise, callback) → x}. The noise-level
 * arithmetic (log σ steps, ancestral splits, exponential integrators) is done in Java doubles;
 * the tensor updates run in {@code x}'s dtype, so a float64 latent gives float64 results
 * (how the tests compare them to the float64 reference traces) and a float32 latent float32
 * ones (how images are made).
 *
 * <p>Notation in the comments: σ = {@code sigmas[i]}, σ' = {@code sigmas[i + 1]},
 * {@code den} = the denoiser's estimate of the clean latent at the start of the step,
 * {@code d = (x − den)/σ} the direction of the probability-flow ODE dx/dσ, t = −ln σ
 * (the DPM-Solver time), h = t' − t the step in it.
 */
public final class Samplers {

    /** Euler: one model call per step, first order. */
    public static final Sampler EULER = Samplers::euler;
    /** Euler ancestral ("Euler a"), η = 1: steps below σ' and adds fresh noise back. */
    public static final Sampler EULER_ANCESTRAL = (m, x, s, n, c) -> eulerAncestral(m, x, s, n, c, 1.0, 1.0);
    /** Heun: second order, two model calls per step (one on the last). */
    public static final Sampler HEUN = Samplers::heun;
    /** DPM++ 2M: second-order multistep, one model call per step. */
    public static final Sampler DPMPP_2M = Samplers::dpmpp2m;
    /** DPM++ SDE, η = 1, r = ½: two model calls per step, stochastic. */
    public static final Sampler DPMPP_SDE = (m, x, s, n, c) -> dpmppSde(m, x, s, n, c, 1.0, 1.0, 0.5);
    /** DPM++ 2M SDE (midpoint), η = 1: second-order multistep, stochastic. */
    public static final Sampler DPMPP_2M_SDE = (m, x, s, n, c) -> dpmpp2mSde(m, x, s, n, c, 1.0, 1.0);
    /** DPM++ 3M SDE, η = 1: third-order multistep, stochastic. */
    public static final Sampler DPMPP_3M_SDE = (m, x, s, n, c) -> dpmpp3mSde(m, x, s, n, c, 1.0, 1.0);
    /**
     * DDIM with η = 0 (diffusers' {@code DDIMScheduler.step}); use it with {@link Schedule#DDIM}.
     * Starts from unit noise times sqrt(1 + σ<sub>0</sub>²) — unit noise in the variance-preserving
     * scale, as diffusers and AUTOMATIC1111 start DDIM — and returns the variance-preserving latent.
     */
    public static final Sampler DDIM = new Sampler() {
        @Override
        public NDArray sample(Denoiser model, NDArray x, double[] sigmas, NoiseSource noise, StepCallback callback) {
            return ddim(model, x, sigmas, noise, callback);
        }

        @Override
        public double initialNoiseScale(double[] sigmas) {
            return Math.sqrt(1 + sigmas[0] * sigmas[0]);
        }
    };

    private Samplers() {
    }

    /** Euler's method on the probability-flow ODE: {@code x += d·(σ' − σ)}. */
    public static NDArray euler(Denoiser model, NDArray x, double[] sigmas, NoiseSource noise, StepCallback callback) {
        Carry carry = new Carry(x, sigmas);
        for (int i = 0; i + 1 < sigmas.length; i++) {
            double s = sigmas[i];
            double next = sigmas[i + 1];
            try (NDScope step = new NDScope()) {
                step.suppressNotUsedWarning();
                NDArray den = model.denoise(carry.x(), s);
                callback.onStep(i, s, next, carry.x(), den);
                NDArray d = derivative(carry.x(), den, s);
                carry.set(carry.x().add(d.mul(next - s)));
            }
        }
        return carry.result();
    }

    /**
     * Euler ancestral: the step σ → σ' is split into a deterministic Euler step down to σ↓ and
     * fresh noise of size σ↑ (σ↓² + σ↑² = σ'²), so every step forgets a little of the past.
     * No noise after the last step (σ' = 0).
     */
    public static NDArray eulerAncestral(Denoiser model, NDArray x, double[] sigmas, NoiseSource noise,
            StepCallback callback, double eta, double sNoise) {
        Carry carry = new Carry(x, sigmas);
        for (int i = 0; i + 1 < sigmas.length; i++) {
            double s = sigmas[i];
            double next = sigmas[i + 1];
            try (NDScope step = new NDScope()) {
                step.suppressNotUsedWarning();
                NDArray den = model.denoise(carry.x(), s);
                callback.onStep(i, s, next, carry.x(), den);
                double[] split = ancestralStep(s, next, eta);
                NDArray d = derivative(carry.x(), den, s);
                NDArray updated = carry.x().add(d.mul(split[0] - s));
                if (next > 0) {
                    updated = updated.add(noise.next(s, next, updated).mul(sNoise * split[1]));
                }
                carry.set(updated);
            }
        }
        return carry.result();
    }

    /**
     * Heun's method: an Euler step to σ', a second look at the slope there, and the step redone
     * with the average slope. The last step (to σ' = 0, where the slope is undefined) is Euler.
     */
    public static NDArray heun(Denoiser model, NDArray x, double[] sigmas, NoiseSource noise, StepCallback callback) {
        Carry carry = new Carry(x, sigmas);
        for (int i = 0; i + 1 < sigmas.length; i++) {
            double s = sigmas[i];
            double next = sigmas[i + 1];
            try (NDScope step = new NDScope()) {
                step.suppressNotUsedWarning();
                NDArray den = model.denoise(carry.x(), s);
                callback.onStep(i, s, next, carry.x(), den);
                NDArray d = derivative(carry.x(), den, s);
                double dt = next - s;
                if (next == 0) {
                    carry.set(carry.x().add(d.mul(dt)));
                } else {
                    NDArray trial = carry.x().add(d.mul(dt));
                    NDArray dTrial = derivative(trial, model.denoise(trial, next), next);
                    carry.set(carry.x().add(d.add(dTrial).div(2).mul(dt)));
                }
            }
        }
        return carry.result();
    }

    /**
     * DPM-Solver++(2M): exact integration of the linear part in t = −ln σ,
     * {@code x' = (σ'/σ)·x − expm1(−h)·den}, with {@code den} extrapolated from this and the
     * previous step's estimates (second order). The first step and the last (σ' = 0, where
     * {@code x' = den}) use the plain estimate.
     */
    public static NDArray dpmpp2m(Denoiser model, NDArray x, double[] sigmas, NoiseSource noise, StepCallback callback) {
        Carry carry = new Carry(x, sigmas);
        NDArray previous = null;
        try {
            for (int i = 0; i + 1 < sigmas.length; i++) {
                double s = sigmas[i];
                double next = sigmas[i + 1];
                try (NDScope step = new NDScope()) {
                    step.suppressNotUsedWarning();
                    NDArray den = model.denoise(carry.x(), s);
                    callback.onStep(i, s, next, carry.x(), den);
                    double t = -Math.log(s);
                    double h = -Math.log(next) - t; // +∞ at σ' = 0: then expm1(−h) = −1 and σ'/σ = 0
                    NDArray estimate = den;
                    if (previous != null && next != 0) {
                        double r = (t + Math.log(sigmas[i - 1])) / h; // previous step over this one
                        estimate = den.mul(1 + 1 / (2 * r)).sub(previous.mul(1 / (2 * r)));
                    }
                    carry.set(carry.x().mul(next / s).sub(estimate.mul(Math.expm1(-h))));
                    previous = carry.adopt(den, previous);
                }
            }
        } finally {
            Carry.free(previous);
        }
        return carry.result();
    }

    /**
     * DPM-Solver++ (stochastic, singlestep, second order): each step first goes ancestrally to the
     * midpoint σ<sub>m</sub> = exp(−(t + r·h)) with fresh noise, evaluates the model there, then
     * goes ancestrally from σ to σ' with that estimate and fresh noise again — two noise draws per
     * step, for (σ, σ<sub>m</sub>) and (σ, σ'). The last step (σ' = 0) is Euler.
     */
    public static NDArray dpmppSde(Denoiser model, NDArray x, double[] sigmas, NoiseSource noise,
            StepCallback callback, double eta, double sNoise, double r) {
        Carry carry = new Carry(x, sigmas);
        for (int i = 0; i + 1 < sigmas.length; i++) {
            double s = sigmas[i];
            double next = sigmas[i + 1];
            try (NDScope step = new NDScope()) {
                step.suppressNotUsedWarning();
                NDArray den = model.denoise(carry.x(), s);
                callback.onStep(i, s, next, carry.x(), den);
                if (next == 0) {
                    carry.set(carry.x().add(derivative(carry.x(), den, s).mul(next - s)));
                    continue;
                }
                double t = -Math.log(s);
                double h = -Math.log(next) - t;
                double mid = Math.exp(-(t + h * r));
                double fac = 1 / (2 * r);

                double[] toMid = ancestralStep(s, mid, eta);
                NDArray x2 = carry.x().mul(toMid[0] / s).sub(den.mul(Math.expm1(t + Math.log(toMid[0]))));
                x2 = x2.add(noise.next(s, mid, x2).mul(sNoise * toMid[1]));
                NDArray den2 = model.denoise(x2, mid);

                double[] toNext = ancestralStep(s, next, eta);
                NDArray estimate = den.mul(1 - fac).add(den2.mul(fac));
                NDArray updated = carry.x().mul(toNext[0] / s).sub(estimate.mul(Math.expm1(t + Math.log(toNext[0]))));
                carry.set(updated.add(noise.next(s, next, updated).mul(sNoise * toNext[1])));
            }
        }
        return carry.result();
    }

    /**
     * DPM-Solver++(2M) SDE, midpoint variant: the 2M update of the SDE (which decays x by
     * e<sup>−(1+η)h</sup> instead of e<sup>−h</sup>), its second-order correction from the previous
     * estimate, then fresh noise of size σ'·sqrt(1 − e<sup>−2ηh</sup>). The last step is {@code x = den}.
     */
    public static NDArray dpmpp2mSde(Denoiser model, NDArray x, double[] sigmas, NoiseSource noise,
            StepCallback callback, double eta, double sNoise) {
        Carry carry = new Carry(x, sigmas);
        NDArray previous = null;
        double previousH = Double.NaN;
        try {
            for (int i = 0; i + 1 < sigmas.length; i++) {
                double s = sigmas[i];
                double next = sigmas[i + 1];
                try (NDScope step = new NDScope()) {
                    step.suppressNotUsedWarning();
                    NDArray den = model.denoise(carry.x(), s);
                    callback.onStep(i, s, next, carry.x(), den);
                    if (next == 0) {
                        carry.set(den.duplicate());
                    } else {
                        double h = Math.log(s) - Math.log(next);
                        double etaH = eta * h;
                        double gain = -Math.expm1(-h - etaH);
                        NDArray updated = carry.x().mul(next / s * Math.exp(-etaH)).add(den.mul(gain));
                        if (previous != null) {
                            double r = previousH / h;
                            try (NDArray change = den.sub(previous)) {
                                updated = updated.add(change.mul(0.5 * gain * (1 / r)));
                            }
                        }
                        if (eta != 0) {
                            double size = next * Math.sqrt(-Math.expm1(-2 * etaH)) * sNoise;
                            updated = updated.add(noise.next(s, next, updated).mul(size));
                        }
                        carry.set(updated);
                        previousH = h;
                    }
                    previous = carry.adopt(den, previous);
                }
            }
        } finally {
            Carry.free(previous);
        }
        return carry.result();
    }

    /**
     * DPM-Solver++(3M) SDE: like 2M SDE, with a third-order correction from the two previous
     * estimates once there are two (second order on the second step, first order on the first),
     * and fresh noise of size σ'·sqrt(1 − e<sup>−2ηh</sup>). The last step is {@code x = den}.
     */
    public static NDArray dpmpp3mSde(Denoiser model, NDArray x, double[] sigmas, NoiseSource noise,
            StepCallback callback, double eta, double sNoise) {
        Carry carry = new Carry(x, sigmas);
        NDArray den1 = null; // the previous step's estimate
        NDArray den2 = null; // the one before
        double h1 = Double.NaN;
        double h2 = Double.NaN;
        try {
            for (int i = 0; i + 1 < sigmas.length; i++) {
                double s = sigmas[i];
                double next = sigmas[i + 1];
                try (NDScope step = new NDScope()) {
                    step.suppressNotUsedWarning();
                    NDArray den = model.denoise(carry.x(), s);
                    callback.onStep(i, s, next, carry.x(), den);
                    double h = Math.log(s) - Math.log(next);
                    if (next == 0) {
                        carry.set(den.duplicate());
                    } else {
                        double hEta = h * (eta + 1);
                        NDArray updated = carry.x().mul(Math.exp(-hEta)).add(den.mul(-Math.expm1(-hEta)));
                        double phi2 = Math.expm1(-hEta) / hEta + 1;
                        if (den2 != null) {
                            double r0 = h1 / h;
                            double r1 = h2 / h;
                            NDArray d10 = den.sub(den1).div(r0);
                            NDArray d11 = den1.sub(den2).div(r1);
                            NDArray curvature = d10.sub(d11);
                            NDArray d1 = d10.add(curvature.mul(r0).div(r0 + r1));
                            NDArray d2 = curvature.div(r0 + r1);
                            double phi3 = phi2 / hEta - 0.5;
                            updated = updated.add(d1.mul(phi2)).sub(d2.mul(phi3));
                        } else if (den1 != null) {
                            NDArray d = den.sub(den1).div(h1 / h);
                            updated = updated.add(d.mul(phi2));
                        }
                        if (eta != 0) {
                            double size = next * Math.sqrt(-Math.expm1(-2 * h * eta)) * sNoise;
                            updated = updated.add(noise.next(s, next, updated).mul(size));
                        }
                        carry.set(updated);
                    }
                    Carry.free(den2);
                    den2 = den1;
                    den1 = carry.adopt(den, null);
                    h2 = h1;
                    h1 = h;
                }
            }
        } finally {
            Carry.free(den1);
            Carry.free(den2);
        }
        return carry.result();
    }

    /**
     * DDIM with η = 0, in σ-space: {@code ε = (x − den)/σ}, {@code x' = den + σ'·ε} — diffusers'
     * {@code x' = sqrt(ā')·x0 + sqrt(1−ā')·ε} divided by sqrt(ā'), since {@code x_ve = x_vp/sqrt(ā)}
     * and σ = sqrt((1−ā)/ā). (Algebraically the same as an Euler step; kept separate because its
     * schedule ends above 0 and it hands back the variance-preserving latent, as diffusers does.)
     * {@code x} and the callback's latents are in σ-space (x_ve); the result is
     * {@code x / sqrt(1 + σ_last²)}.
     */
    public static NDArray ddim(Denoiser model, NDArray x, double[] sigmas, NoiseSource noise, StepCallback callback) {
        Carry carry = new Carry(x, sigmas);
        for (int i = 0; i + 1 < sigmas.length; i++) {
            double s = sigmas[i];
            double next = sigmas[i + 1];
            try (NDScope step = new NDScope()) {
                step.suppressNotUsedWarning();
                NDArray den = model.denoise(carry.x(), s);
                callback.onStep(i, s, next, carry.x(), den);
                NDArray eps = derivative(carry.x(), den, s);
                carry.set(den.add(eps.mul(next)));
            }
        }
        double last = sigmas[sigmas.length - 1];
        if (last == 0) {
            return carry.result();
        }
        NDArray ve = carry.result();
        try (NDScope step = new NDScope()) {
            step.suppressNotUsedWarning();
            return carry.adopt(ve.div(Math.sqrt(1 + last * last)), ve);
        }
    }

    /** {@code (x − den)/σ}: the ODE's dx/dσ, and for DDIM the implied noise ε. */
    private static NDArray derivative(NDArray x, NDArray den, double sigma) {
        return x.sub(den).div(sigma);
    }

    /**
     * Splits the step {@code from → to} into a deterministic part down to σ↓ and fresh noise σ↑ with
     * σ↓² + σ↑² = to², σ↑ = min(to, η·sqrt(to²(from² − to²)/from²)); returns {σ↓, σ↑}.
     */
    static double[] ancestralStep(double from, double to, double eta) {
        if (eta == 0) {
            return new double[] {to, 0};
        }
        double up = Math.min(to, eta * Math.sqrt(to * to * (from * from - to * to) / (from * from)));
        return new double[] {Math.sqrt(to * to - up * up), up};
    }
}
