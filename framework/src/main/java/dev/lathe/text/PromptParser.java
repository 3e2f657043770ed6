package dev.lathe.text;

import dev.lathe.api.InvalidInputException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AUTOMATIC1111's prompt syntax: extra-network tags ({@code <lora:name:0.8>}) and emphasis.
 *
 * <p><b>Emphasis</b> follows A1111's {@code parse_prompt_attention}:
 * <ul>
 * <li>{@code (text)} multiplies the weight of {@code text} by 1.1, {@code [text]} by 1/1.1,
 *     {@code (text:1.3)} by 1.3; brackets nest and multiply ({@code ((a))} is 1.1 × 1.1);
 * <li>{@code \(}, {@code \)}, {@code \[}, {@code \]} and {@code \\} are the literal characters;
 *     a backslash before anything else disappears;
 * <li>a closing bracket with no open bracket of its kind is literal text, and so is
 *     {@code :1.3)} with no open round bracket; brackets still open at the end apply to
 *     everything after them ({@code (a} is {@code a} at 1.1);
 * <li>{@code BREAK} as a word of its own (capitals, not inside a longer word) starts a new
 *     77-token window; the whitespace around it goes;
 * <li>adjacent text of equal weight is joined, so {@code (a)(b)} is {@code ab} at 1.1 — the
 *     joined text is tokenized as one piece.
 * </ul>
 * Weights are doubles multiplied in the order A1111 multiplies them, so they are bit for bit
 * A1111's. One deliberate difference: A1111 marks {@code BREAK} by giving it the weight -1, so
 * inside brackets ({@code (a BREAK b)}) its weight changes and A1111 then tokenizes the word
 * {@code break} with a negative weight; here a {@code BREAK} is always a break. Prompt editing
 * and alternation ({@code [a:b:0.5]}, {@code [a|b]}) are not interpreted: A1111 resolves them
 * into separate prompts before this step.
 *
 * <p><b>Tags</b> {@code <type:args>} are removed from the prompt before emphasis is parsed, as
 * A1111 does; {@code lora} and {@code lyco} tags are returned as {@link LoraTag}s.
 */
public final class PromptParser {

    /** What Python's {@code \s} matches: Unicode white space and the separators U+001C..U+001F. */
    private static final String SPACE = "[\\p{IsWhite_Space}\\x{1C}-\\x{1F}]";

    /** What Python's {@code \w} matches, near enough: letters, numbers, underscore. */
    private static final String WORD_CHAR = "[\\p{L}\\p{N}_]";

    private static final Pattern ATTENTION_TOKEN = Pattern.compile(String.join("|",
            "\\\\[()\\[\\]\\\\]", // an escaped bracket or backslash
            "\\\\", // a lone backslash, dropped
            "\\(",
            "\\[",
            ":" + SPACE + "*([+-]?[.\\p{Nd}]+)" + SPACE + "*\\)", // closes a round bracket with a weight
            "\\)",
            "]",
            "[^\\\\()\\[\\]:]+", // plain text
            ":"));

    private static final Pattern BREAK = Pattern.compile(
            SPACE + "*(?<!" + WORD_CHAR + ")BREAK(?!" + WORD_CHAR + ")" + SPACE + "*");

    private static final Pattern EXTRA_NETWORK_TAG = Pattern.compile("<(" + WORD_CHAR + "+):([^>]+)>");

    private static final double ROUND_MULTIPLIER = 1.1;
    private static final double SQUARE_MULTIPLIER = 1 / 1.1;

    private PromptParser() {
    }

    /** {@code prompt} with its tags taken out and its emphasis resolved. */
    public static ParsedPrompt parse(String prompt) {
        List<LoraTag> loras = new ArrayList<>();
        List<String> otherTags = new ArrayList<>();
        Matcher tags = EXTRA_NETWORK_TAG.matcher(prompt);
        StringBuilder text = new StringBuilder(prompt.length());
        while (tags.find()) {
            String type = tags.group(1);
            if (type.equals("lora") || type.equals("lyco")) {
                loras.add(LoraTags.parse(tags.group(), tags.group(2)));
            } else {
                otherTags.add(tags.group());
            }
            tags.appendReplacement(text, "");
        }
        tags.appendTail(text);
        return new ParsedPrompt(parseAttention(text.toString()), loras, otherTags);
    }

    /**
     * The emphasis of {@code text} (tags are not looked at): the segments in order, adjacent
     * text of equal weight joined. An empty text gives one empty segment of weight 1.
     */
    public static List<PromptSegment> parseAttention(String text) {
        List<Weighted> parts = new ArrayList<>();
        Deque<Integer> round = new ArrayDeque<>();
        Deque<Integer> square = new ArrayDeque<>();
        Matcher m = ATTENTION_TOKEN.matcher(text);
        while (m.find()) {
            String token = m.group();
            String weight = m.group(1);
            if (token.startsWith("\\")) {
                parts.add(Weighted.text(token.substring(1)));
            } else if (token.equals("(")) {
                round.push(parts.size());
            } else if (token.equals("[")) {
                square.push(parts.size());
            } else if (weight != null && !round.isEmpty()) {
                multiplyFrom(parts, round.pop(), number(weight, text));
            } else if (token.equals(")") && !round.isEmpty()) {
                multiplyFrom(parts, round.pop(), ROUND_MULTIPLIER);
            } else if (token.equals("]") && !square.isEmpty()) {
                multiplyFrom(parts, square.pop(), SQUARE_MULTIPLIER);
            } else {
                addSplitAtBreaks(parts, token);
            }
        }
        // Unclosed brackets apply up to the end, the outermost first, as A1111 iterates its stacks.
        for (Iterator<Integer> open = round.descendingIterator(); open.hasNext();) {
            multiplyFrom(parts, open.next(), ROUND_MULTIPLIER);
        }
        for (Iterator<Integer> open = square.descendingIterator(); open.hasNext();) {
            multiplyFrom(parts, open.next(), SQUARE_MULTIPLIER);
        }
        if (parts.isEmpty()) {
            parts.add(Weighted.text(""));
        }
        return joinEqualWeights(parts);
    }

    /** A segment being built: its weight changes as brackets close. */
    private static final class Weighted {
        final boolean isBreak;
        final StringBuilder text;
        double weight = 1.0;

        private Weighted(boolean isBreak, String text) {
            this.isBreak = isBreak;
            this.text = new StringBuilder(text);
        }

        static Weighted text(String text) {
            return new Weighted(false, text);
        }

        static Weighted breakMarker() {
            return new Weighted(true, "");
        }
    }

    private static void addSplitAtBreaks(List<Weighted> parts, String token) {
        String[] pieces = BREAK.split(token, -1);
        for (int i = 0; i < pieces.length; i++) {
            if (i > 0) {
                parts.add(Weighted.breakMarker());
            }
            parts.add(Weighted.text(pieces[i]));
        }
    }

    private static void multiplyFrom(List<Weighted> parts, int start, double multiplier) {
        for (Weighted part : parts.subList(start, parts.size())) {
            if (!part.isBreak) {
                part.weight *= multiplier;
            }
        }
    }

    private static List<PromptSegment> joinEqualWeights(List<Weighted> parts) {
        List<PromptSegment> segments = new ArrayList<>(parts.size());
        Weighted current = null;
        for (Weighted part : parts) {
            if (current != null && !current.isBreak && !part.isBreak && current.weight == part.weight) {
                current.text.append(part.text);
                continue;
            }
            if (current != null) {
                segments.add(segment(current));
            }
            current = part;
        }
        segments.add(segment(current));
        return segments;
    }

    private static PromptSegment segment(Weighted part) {
        return part.isBreak ? PromptSegment.breakMarker() : PromptSegment.text(part.text.toString(), part.weight);
    }

    /** An explicit weight; digits of any script count, as Python's {@code float} reads them. */
    private static double number(String written, String prompt) {
        StringBuilder ascii = new StringBuilder(written.length());
        written.codePoints().forEach(c -> ascii.append(Character.isDigit(c) ? (char) ('0' + Character.digit(c, 10))
                : (char) c));
        try {
            return Double.parseDouble(ascii.toString());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("The prompt \"" + prompt + "\" gives the emphasis weight \"" + written
                    + "\", which is not a number. Write the weight as a decimal number, for example (red hair:1.2).");
        }
    }
}
