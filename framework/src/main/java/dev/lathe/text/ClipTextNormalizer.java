package dev.lathe.text;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * CLIP's text cleaning, step for step as OpenAI's {@code simple_tokenizer} does it before
 * splitting: ftfy-style repair ({@link TextRepair}), HTML unescaping twice (so {@code &amp;lt;}
 * becomes {@code <}), every run of whitespace collapsed to one space, trimmed, lower-cased.
 *
 * <p>Whitespace is Unicode's White_Space property (space, tab, line breaks, no-break space,
 * ideographic space, the U+2000 spaces, …; not the zero-width space U+200B, which is a format
 * character), plus U+001C..U+001F, which Python's {@code str.strip} also treats as space (the
 * repair step has already removed them). Lower-casing is Unicode's full, locale-independent
 * mapping, including the final-sigma rule ({@code ΟΔΟΣ} → {@code οδος}) that Python's
 * {@code str.lower} also applies.
 */
final class ClipTextNormalizer {

    private static final Pattern WHITESPACE = Pattern.compile("[\\p{IsWhite_Space}\\x{1C}-\\x{1F}]+");

    private final TextRepair repair;
    private final HtmlEntities entities;

    ClipTextNormalizer() {
        this.entities = new HtmlEntities();
        this.repair = new TextRepair(entities);
    }

    String normalize(String text) {
        String cleaned = repair.fix(text);
        cleaned = entities.unescape(entities.unescape(cleaned));
        cleaned = WHITESPACE.matcher(cleaned).replaceAll(" ");
        return trimSpaces(cleaned).toLowerCase(Locale.ROOT);
    }

    /** After the collapse, leading and trailing whitespace is one space at most on each side. */
    private static String trimSpaces(String text) {
        int start = text.startsWith(" ") ? 1 : 0;
        int end = text.endsWith(" ") && text.length() > start ? text.length() - 1 : text.length();
        return text.substring(start, end);
    }
}
