package dev.lathe.text;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A prompt taken apart by {@link PromptParser}.
 *
 * @param segments  the text with its emphasis weights and breaks, tags removed
 * @param loras     the {@code <lora:…>} (and {@code <lyco:…>}) tags, in prompt order
 * @param otherTags other extra-network tags ({@code <hypernet:…>}, …), removed from the text as
 *                  AUTOMATIC1111 removes them; Lathe does not apply them, callers may warn
 */
public record ParsedPrompt(List<PromptSegment> segments, List<LoraTag> loras, List<String> otherTags) {

    public ParsedPrompt {
        segments = List.copyOf(segments);
        loras = List.copyOf(loras);
        otherTags = List.copyOf(otherTags);
    }

    /** The text without brackets, weights and tags, breaks written as {@code BREAK}. */
    public String plainText() {
        return segments.stream().map(s -> s.isBreak() ? " BREAK " : s.text()).collect(Collectors.joining());
    }
}
