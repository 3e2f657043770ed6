package dev.lathe.text;

import java.util.Objects;

/**
 * One piece of a parsed prompt: text with the emphasis weight its brackets give it, or a
 * {@code BREAK}, which ends the current 77-token window.
 *
 * @param kind   text or break
 * @param text   the text with its brackets and escapes resolved ({@code ""} for a break)
 * @param weight the emphasis multiplier ({@code 1.0} for plain text and for a break)
 */
public record PromptSegment(Kind kind, String text, double weight) {

    /** What a segment is. */
    public enum Kind {
        /** Text to tokenize, with its weight. */
        TEXT,
        /** The {@code BREAK} keyword: the next text starts a new window. */
        BREAK
    }

    public PromptSegment {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
    }

    /** Text with an emphasis weight. */
    public static PromptSegment text(String text, double weight) {
        return new PromptSegment(Kind.TEXT, text, weight);
    }

    /** A {@code BREAK}. */
    public static PromptSegment breakMarker() {
        return new PromptSegment(Kind.BREAK, "", 1.0);
    }

    public boolean isBreak() {
        return kind == Kind.BREAK;
    }
}
