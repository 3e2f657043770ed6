package dev.lathe.text;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * The text repairs CLIP's tokenizer gets from {@code ftfy.fix_text} (ftfy 6 defaults), written
 * for prompts: each line on its own, these fixes in ftfy's order, repeated until nothing changes:
 * <ol>
 * <li>HTML references ending in {@code ;} decoded ({@link HtmlEntities#unescapeStrict}), unless
 *     the text contains {@code <} — then it is probably HTML and left alone, for this line and
 *     every later one, as ftfy does;
 * <li>mojibake repaired ({@link Mojibake}: UTF-8 read as Windows-1252);
 * <li>C1 controls U+0080..U+009F read as the Windows-1252 characters they were meant to be;
 * <li>Latin ligatures and digraphs split ({@code ﬁ} → {@code fi}, {@code ǆ} → {@code dž});
 * <li>full-width and half-width forms (U+FF01..U+FFEF) replaced by their ordinary forms, and the
 *     ideographic space by a space;
 * <li>curly quotes straightened ({@code ‘’‚‛ʼ} → {@code '}, {@code “”„‟} → {@code "});
 * <li>line breaks ({@code \r\n}, {@code \r}, U+2028, U+2029, U+0085) made {@code \n};
 * <li>unpaired surrogates replaced by U+FFFD;
 * <li>terminal colour escapes ({@code ESC [ … m}) removed;
 * <li>control characters removed, except tab, line feed, form feed and carriage return; also the
 *     byte order mark, the deprecated Arabic format controls U+206A..U+206F and the interlinear
 *     annotation characters U+FFF9..U+FFFC;
 * <li>NFC normalization.
 * </ol>
 * Zero-width spaces, soft hyphens and joiners are kept (ftfy keeps them; emoji need them).
 */
final class TextRepair {

    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001B\\[[0-9;]*[a-zA-Z]");

    private final HtmlEntities entities;

    TextRepair(HtmlEntities entities) {
        this.entities = entities;
    }

    String fix(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescape = true;
        int start = 0;
        while (start < text.length()) {
            int newline = text.indexOf('\n', start);
            int end = newline < 0 ? text.length() : newline + 1;
            String line = text.substring(start, end);
            if (line.indexOf('<') >= 0) {
                unescape = false; // looks like HTML (or "<3"): entities are literal from here on
            }
            out.append(fixLine(line, unescape));
            start = end;
        }
        return out.toString();
    }

    private String fixLine(String line, boolean unescape) {
        while (true) {
            String before = line;
            if (unescape) {
                line = entities.unescapeStrict(line);
            }
            line = fixEncoding(line);
            line = fixC1Controls(line);
            line = splitLigatures(line);
            line = normalizeWidth(line);
            line = uncurlQuotes(line);
            line = fixLineBreaks(line);
            line = replaceLoneSurrogates(line);
            line = TERMINAL_ESCAPE.matcher(line).replaceAll("");
            line = removeControls(line);
            line = Normalizer.normalize(line, Normalizer.Form.NFC);
            if (line.equals(before)) {
                return line;
            }
        }
    }

    private static String fixEncoding(String text) {
        for (String fixed = Mojibake.repair(text); !fixed.equals(text); fixed = Mojibake.repair(text)) {
            text = fixed;
        }
        return text;
    }

    private static String fixC1Controls(String text) {
        return map(text, c -> c >= 0x80 && c <= 0x9F ? String.valueOf(Windows1252.decode(c)) : null);
    }

    private static String splitLigatures(String text) {
        return map(text, c -> {
            switch (c) {
                case 'Ĳ': return "IJ";
                case 'ĳ': return "ij";
                case 'ŉ': return "\u02BCn";
                case 'Ǳ': return "DZ";
                case 'ǲ': return "Dz";
                case 'ǳ': return "dz";
                case 'Ǆ': return "DŽ";
                case 'ǅ': return "Dž";
                case 'ǆ': return "dž";
                case 'Ǉ': return "LJ";
                case 'ǈ': return "Lj";
                case 'ǉ': return "lj";
                case 'Ǌ': return "NJ";
                case 'ǋ': return "Nj";
                case 'ǌ': return "nj";
                case 'ﬀ': return "ff";
                case 'ﬁ': return "fi";
                case 'ﬂ': return "fl";
                case 'ﬃ': return "ffi";
                case 'ﬄ': return "ffl";
                case 'ﬅ': return "ſt";
                case 'ﬆ': return "st";
                default: return null;
            }
        });
    }

    private static String normalizeWidth(String text) {
        return map(text, c -> {
            if (c == '\u3000') {
                return " ";
            }
            if (c >= 0xFF01 && c <= 0xFFEF) {
                String normal = Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC);
                return normal.equals(String.valueOf(c)) ? null : normal;
            }
            return null;
        });
    }

    private static String uncurlQuotes(String text) {
        return map(text, c -> {
            if (c == '\u02BC' || (c >= '\u2018' && c <= '\u201B')) {
                return "'";
            }
            return c >= '\u201C' && c <= '\u201F' ? "\"" : null;
        });
    }

    private static String fixLineBreaks(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n')
                .replace('\u0085', '\n');
    }

    private static String replaceLoneSurrogates(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length()).append(text, 0, i);
                }
                out.append('\uFFFD');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    private static String removeControls(String text) {
        return map(text, c -> isRemovedControl(c) ? "" : null);
    }

    private static boolean isRemovedControl(char c) {
        return c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || (c >= 0x206A && c <= 0x206F)
                || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
    }

    /** How one character is replaced: the replacement, or null to keep it. */
    private interface CharReplacement {
        String replace(char c);
    }

    /**
     * {@code text} with each UTF-16 unit replaced as {@code replacement} says. Every character
     * touched here is in the Basic Multilingual Plane, so surrogates are never replaced.
     */
    private static String map(String text, CharReplacement replacement) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replaced = replacement.replace(c);
            if (replaced != null && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                out.append(replaced != null ? replaced : String.valueOf(c));
            }
        }
        return out == null ? text : out.toString();
    }
}
