package dev.lathe.dataset;

import java.util.ArrayList;
import java.util.List;

/**
 * Python's {@code str.strip()} and {@code str.split(sep)}, which kohya's caption code relies on
 * and which differ from Java's: {@code String.split} takes a regex and drops trailing empty
 * parts, and {@code String.strip} does not treat U+0085 or U+00A0 as whitespace.
 */
final class PythonText {

    private PythonText() {
    }

    /** Python's {@code str.isspace()} for one character. */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** Python's {@code s.strip()}. */
    static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** Python's {@code s.split(separator)}: literal, keeping every empty part. */
    static List<String> split(String s, String separator) {
        List<String> parts = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = s.indexOf(separator, from)) >= 0) {
            parts.add(s.substring(from, at));
            from = at + separator.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    /** Python's {@code s.split(separator, 1)}: at the first occurrence only. */
    static String[] splitOnce(String s, String separator) {
        int at = s.indexOf(separator);
        return at < 0 ? new String[] {s} : new String[] {s.substring(0, at), s.substring(at + separator.length())};
    }
}
