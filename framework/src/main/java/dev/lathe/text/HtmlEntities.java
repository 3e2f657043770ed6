package dev.lathe.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML character references, decoded the two ways CLIP's text cleaning does:
 * <ul>
 * <li>{@link #unescape} — like Python's {@code html.unescape} (the HTML5 rules): named references
 *     from the full HTML5 table, with or without the semicolon where the standard allows it and
 *     by longest prefix ({@code &ampx} is {@code &x}); decimal and hex references, with the
 *     standard's replacements for C1 code points, NUL, surrogates and out-of-range numbers, and
 *     the noncharacters and most controls dropped;
 * <li>{@link #unescapeStrict} — like ftfy's {@code unescape_html}: only complete references ending
 *     in {@code ;}, plus all-uppercase spellings of lowercase names ({@code &NTILDE;} is
 *     {@code Ñ}), which text that was upper-cased after escaping contains.
 * </ul>
 * The table is the WHATWG list of named character references, read from a resource once per
 * instance.
 */
final class HtmlEntities {

    private static final String TABLE = "html5-entities.txt";

    /** What Python's {@code html.unescape} treats as a reference (names are at most 32 characters). */
    private static final Pattern REFERENCE = Pattern.compile(
            "&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    /** What ftfy treats as a reference: complete ones only. */
    private static final Pattern COMPLETE_REFERENCE = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

    private final Map<String, String> named;
    private final Map<String, String> strict;

    HtmlEntities() {
        named = readTable();
        strict = new HashMap<>();
        for (Map.Entry<String, String> entry : named.entrySet()) {
            String name = entry.getKey();
            if (!name.endsWith(";")) {
                continue;
            }
            strict.put("&" + name, entry.getValue());
            // Upper-cased names are decoded only where that is unambiguous: the name is all
            // lowercase and its upper-case spelling is not itself a reference.
            String upper = "&" + name.toUpperCase(Locale.ROOT);
            if (name.equals(name.toLowerCase(Locale.ROOT)) && unescape(upper).equals(upper)) {
                strict.put(upper, entry.getValue().toUpperCase(Locale.ROOT));
            }
        }
    }

    /** {@code text} with every character reference decoded as Python's {@code html.unescape} does. */
    String unescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(decode(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** {@code text} with complete references decoded as ftfy's {@code unescape_html} does. */
    String unescapeStrict(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher m = COMPLETE_REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String reference = m.group();
            String replacement = strict.get(reference);
            if (replacement == null && reference.startsWith("&#")) {
                String decoded = unescape(reference);
                replacement = decoded.indexOf(';') < 0 ? decoded : reference;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement == null ? reference : replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** One reference without its {@code &}. */
    private String decode(String reference) {
        if (reference.charAt(0) == '#') {
            boolean hex = reference.length() > 1 && (reference.charAt(1) == 'x' || reference.charAt(1) == 'X');
            String digits = reference.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) {
                digits = digits.substring(0, digits.length() - 1);
            }
            return numeric(new BigInteger(digits, hex ? 16 : 10));
        }
        String value = named.get(reference);
        if (value != null) {
            return value;
        }
        // The standard's legacy names (amp, lt, copy, …) also match as a prefix of a longer word.
        for (int length = reference.length() - 1; length > 1; length--) {
            value = named.get(reference.substring(0, length));
            if (value != null) {
                return value + reference.substring(length);
            }
        }
        return "&" + reference;
    }

    private static String numeric(BigInteger number) {
        if (number.bitLength() > 31 || number.intValue() > Character.MAX_CODE_POINT) {
            return "\uFFFD";
        }
        int cp = number.intValue();
        if (cp == 0) {
            return "\uFFFD";
        }
        if (cp == 0x0D) {
            return "\r";
        }
        if (cp >= 0x80 && cp <= 0x9F) {
            return String.valueOf(Windows1252.decode(cp)); // HTML5 reads C1 references as Windows-1252
        }
        if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
            return "\uFFFD";
        }
        if (isDropped(cp)) {
            return "";
        }
        return new String(Character.toChars(cp));
    }

    /** Controls other than tab, LF, FF and CR; DEL; and the Unicode noncharacters. */
    private static boolean isDropped(int cp) {
        return (cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    }

    private static Map<String, String> readTable() {
        Map<String, String> table = new HashMap<>(4096);
        try (InputStream in = HtmlEntities.class.getResourceAsStream(TABLE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + TABLE + " is missing from the Lathe framework bundle");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                StringBuilder value = new StringBuilder(2);
                for (String hex : line.substring(tab + 1).split(" ")) {
                    value.appendCodePoint(Integer.parseInt(hex, 16));
                }
                table.put(line.substring(0, tab), value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return table;
    }
}
