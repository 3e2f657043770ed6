package dev.lathe.render;

import dev.lathe.api.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What to render: one txt2img image.
 *
 * @param prompt         the prompt in A1111's syntax: emphasis, {@code BREAK}, long prompts, and
 *                       {@code <lora:name:strength>} tags (strengths may be schedules)
 * @param negativePrompt the negative prompt ({@code ""} for none: the empty prompt is then the
 *                       unconditional side of classifier-free guidance, as in A1111)
 * @param sampler        A1111's name ({@code Euler a}, {@code DPM++ 2M Karras}) or the
 *                       k-diffusion/kohya id ({@code euler_a}, {@code dpmpp_2m_karras})
 * @param steps          sampling steps, at least 1
 * @param cfgScale       classifier-free guidance scale (1 = no guidance)
 * @param seed           0 to 2<sup>32</sup>−1 as in A1111 (larger seeds use their low 32 bits, as
 *                       PyTorch does), or −1 for a random seed (the one drawn is recorded)
 * @param width          image width in pixels, a multiple of 8
 * @param height         image height in pixels, a multiple of 8
 * @param clipSkip       1 = the model's usual text-encoder layer, 2 = one earlier, as A1111 and kohya count
 * @param loras          LoRAs applied besides the prompt's tags
 */
public record RenderRequest(String prompt, String negativePrompt, String sampler, int steps, double cfgScale, long seed,
        int width, int height, int clipSkip, List<LoraUse> loras) {

    /** A1111's defaults. */
    public static final String DEFAULT_SAMPLER = "Euler a";
    public static final int DEFAULT_STEPS = 20;
    public static final double DEFAULT_CFG = 7;
    public static final int DEFAULT_SIZE = 512;
    /** The largest number of steps accepted (kohya's limit for sample prompts). */
    public static final int MAX_STEPS = 1000;

    public RenderRequest {
        Objects.requireNonNull(prompt, "prompt");
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        Objects.requireNonNull(sampler, "sampler");
        loras = List.copyOf(loras == null ? List.of() : loras);
        if (steps < 1 || steps > MAX_STEPS) {
            throw new InvalidInputException("The number of sampling steps must be between 1 and " + MAX_STEPS + ", got "
                    + steps + ".");
        }
        if (!Double.isFinite(cfgScale) || cfgScale < 0) {
            throw new InvalidInputException("The CFG scale must be a number of 0 or more (1 = no guidance), got "
                    + cfgScale + ".");
        }
        if (seed < -1) {
            throw new InvalidInputException("The seed must be 0 or more, or -1 for a random seed, got " + seed + ".");
        }
        for (int size : new int[] {width, height}) {
            if (size < 8 || size % 8 != 0 || size > 16384) {
                throw new InvalidInputException("The image size must be a multiple of 8 between 8 and 16384 pixels on "
                        + "each side (Stable Diffusion works on 8x8-pixel latents), got " + width + "x" + height + ".");
            }
        }
        if (clipSkip < 1 || clipSkip > 12) {
            throw new InvalidInputException("Clip skip must be between 1 (the usual layer) and 12, got " + clipSkip + ".");
        }
    }

    /** {@code prompt} with A1111's defaults: no negative prompt, Euler a, 20 steps, CFG 7, a random seed, 512x512. */
    public static RenderRequest of(String prompt) {
        return new RenderRequest(prompt, "", DEFAULT_SAMPLER, DEFAULT_STEPS, DEFAULT_CFG, -1, DEFAULT_SIZE, DEFAULT_SIZE, 1,
                List.of());
    }

    public RenderRequest withPrompt(String newPrompt) {
        return new RenderRequest(newPrompt, negativePrompt, sampler, steps, cfgScale, seed, width, height, clipSkip, loras);
    }

    public RenderRequest withNegativePrompt(String newNegativePrompt) {
        return new RenderRequest(prompt, newNegativePrompt, sampler, steps, cfgScale, seed, width, height, clipSkip, loras);
    }

    public RenderRequest withSampler(String newSampler, int newSteps) {
        return new RenderRequest(prompt, negativePrompt, newSampler, newSteps, cfgScale, seed, width, height, clipSkip, loras);
    }

    public RenderRequest withCfgScale(double newCfgScale) {
        return new RenderRequest(prompt, negativePrompt, sampler, steps, newCfgScale, seed, width, height, clipSkip, loras);
    }

    public RenderRequest withSeed(long newSeed) {
        return new RenderRequest(prompt, negativePrompt, sampler, steps, cfgScale, newSeed, width, height, clipSkip, loras);
    }

    public RenderRequest withSize(int newWidth, int newHeight) {
        return new RenderRequest(prompt, negativePrompt, sampler, steps, cfgScale, seed, newWidth, newHeight, clipSkip, loras);
    }

    public RenderRequest withClipSkip(int newClipSkip) {
        return new RenderRequest(prompt, negativePrompt, sampler, steps, cfgScale, seed, width, height, newClipSkip, loras);
    }

    public RenderRequest withLoras(List<LoraUse> newLoras) {
        return new RenderRequest(prompt, negativePrompt, sampler, steps, cfgScale, seed, width, height, clipSkip, newLoras);
    }

    /** This request with {@code lora} added to its LoRAs. */
    public RenderRequest plusLora(LoraUse lora) {
        List<LoraUse> more = new ArrayList<>(loras);
        more.add(lora);
        return withLoras(more);
    }
}
