package dev.lathe.render;

import java.util.Objects;

/**
 * What a sample prompt leaves out: kohya's defaults unless the training says otherwise.
 *
 * @param sampler        the training's {@code sample_sampler}; kohya's default is {@code ddim}
 * @param steps          30 in kohya
 * @param scale          the CFG scale, 7.5 in kohya
 * @param width          512 in kohya
 * @param height         512 in kohya
 * @param clipSkip       the training's clip skip (kohya samples with it)
 * @param negativePrompt the negative prompt of lines without {@code --n}; kohya's is none ("")
 */
public record SampleDefaults(String sampler, int steps, double scale, int width, int height, int clipSkip,
        String negativePrompt) {

    public SampleDefaults {
        Objects.requireNonNull(sampler, "sampler");
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
    }

    /** sd-scripts' defaults: ddim, 30 steps, CFG 7.5, 512x512, clip skip 1, no negative prompt. */
    public static SampleDefaults kohya() {
        return new SampleDefaults("ddim", 30, 7.5, 512, 512, 1, "");
    }

    public SampleDefaults withSampler(String newSampler) {
        return new SampleDefaults(newSampler, steps, scale, width, height, clipSkip, negativePrompt);
    }

    public SampleDefaults withClipSkip(int newClipSkip) {
        return new SampleDefaults(sampler, steps, scale, width, height, newClipSkip, negativePrompt);
    }
}
