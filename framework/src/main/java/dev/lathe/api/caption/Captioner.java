package dev.lathe.api.caption;

import dev.lathe.api.Options;
import dev.lathe.api.Plugin;

/**
 * Writes training captions for images ({@code blip}). Loading a captioning model is slow, so a
 * captioner opens a session once and captions many images with it.
 */
public interface Captioner extends Plugin {

    /**
     * Loads what the captioner needs.
     *
     * @param options this captioner's options, validated against {@link #options()}
     * @param device  {@code cpu} or {@code gpu}
     */
    CaptionSession open(Options options, String device);
}
