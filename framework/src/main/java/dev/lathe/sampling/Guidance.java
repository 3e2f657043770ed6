package dev.lathe.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.Objects;

/**
 * Classifier-free guidance (Ho &amp; Salimans): push the prediction away from what the model does
 * without the prompt (or with the negative prompt) and towards what it does with it.
 */
public final class Guidance {

    private Guidance() {
    }

    /**
     * A denoiser that runs {@code model} once per call on a batch twice as large — the latent with the
     * unconditional conditioning, then with the conditional one — and combines the two estimates as
     * AUTOMATIC1111 ({@code CFGDenoiser.combine_denoised}) and ComfyUI do:
     * {@code uncond + scale·(cond − uncond)}. Combining the clean-latent estimates is the same as
     * combining the ε predictions (diffusers' way), because the estimate is affine in ε with the
     * same x; only rounding differs.
     *
     * <p>With {@code scale == 1} the unconditional half would cancel out, so only the conditional
     * batch runs (half the work; equal to the combination up to rounding).
     *
     * @param cond the prompt's conditioning, every array batched like the latents
     * @param uncond the negative prompt's (or empty prompt's), the same arrays with the same shapes
     */
    public static Denoiser cfg(ConditionalDenoiser model, NDList cond, NDList uncond, double scale) {
        Objects.requireNonNull(model, "model");
        if (cond.size() != uncond.size()) {
            throw new IllegalArgumentException("cond has " + cond.size() + " arrays but uncond " + uncond.size());
        }
        for (int k = 0; k < cond.size(); k++) {
            if (!cond.get(k).getShape().equals(uncond.get(k).getShape())) {
                throw new IllegalArgumentException("cond array " + k + " is " + cond.get(k).getShape() + " but uncond's is "
                        + uncond.get(k).getShape() + "; pad both prompts to the same number of token chunks");
            }
        }
        if (scale == 1.0) {
            return model.conditioned(cond);
        }
        return (x, sigma) -> {
            long batch = x.getShape().get(0);
            NDList both = new NDList(cond.size());
            try (NDArray doubled = x.concat(x)) {
                for (int k = 0; k < cond.size(); k++) {
                    both.add(uncond.get(k).concat(cond.get(k)));
                }
                try (NDArray denoised = model.denoise(doubled, sigma, both);
                        NDList halves = denoised.split(new long[] {batch});
                        NDArray difference = halves.get(1).sub(halves.get(0));
                        NDArray scaled = difference.mul(scale)) {
                    return halves.get(0).add(scaled);
                }
            } finally {
                both.close();
            }
        };
    }
}
