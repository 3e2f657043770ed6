package dev.lathe.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AUTOMATIC1111's generation-parameters text ("infotext"), the {@code parameters} text chunk of
 * its PNGs, which A1111's PNG Info tab and civitai read back. Text layout only; the meaning of the
 * fields is {@link GenerationParameters}'.
 *
 * <p>Layout (A1111 1.x {@code processing.create_infotext}):
 * <pre>
 * the prompt, as many lines as it has
 * Negative prompt: the negative prompt       (only when there is one)
 * Steps: 20, Sampler: Euler a, Schedule type: Uniform, CFG scale: 7, Seed: 1, Size: 512x512, ...
 * </pre>
 * Each parameter is {@code Key: value}, joined by {@code ", "}; a parameter without a value is
 * left out; the whole text is stripped of surrounding white space. A value containing a comma,
 * a colon or a line break is written as a JSON string ({@code "..."} with JSON escapes, non-ASCII
 * kept as it is); any other value as it is ({@code infotext_utils.quote}).
 *
 * <p>Parsing follows {@code infotext_utils.parse_generation_parameters}: the text is split into
 * lines; the last line holds the parameters if at least three {@code Key: value} pairs are found in
 * it (else it is part of the prompt); of the remaining lines, those from the first one starting
 * with {@code Negative prompt:} on form the negative prompt (that prefix removed), the others the
 * prompt, each line stripped and the lines joined with {@code \n}. Pairs are found with A1111's
 * regular expression; a quoted value is JSON-decoded (kept as written when that fails); a value
 * like {@code 512x768} is stored as {@code Key-1} = 512 and {@code Key-2} = 768 (e.g. {@code Size-1},
 * {@code Size-2}); a pair with an empty value is skipped. Unlike A1111, no defaults are filled in
 * for missing keys here.
 */
public final class Infotext {

    /** The key of the prompt in {@link #parse}'s result. */
    public static final String PROMPT = "Prompt";
    /** The key of the negative prompt in {@link #parse}'s result, and the prefix of its line. */
    public static final String NEGATIVE_PROMPT = "Negative prompt";

    /** What Python's {@code \s} and {@code str.strip()} treat as white space. */
    private static final String SPACE = "[\\p{IsWhite_Space}\\x{1C}-\\x{1F}]";
    /** What Python's {@code \w} matches, near enough: letters, numbers, underscore. */
    private static final String WORD = "[\\p{L}\\p{N}_]";

    /** {@code re_param}: {@code \s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)}. */
    private static final Pattern PARAMETER = Pattern.compile(SPACE + "*(" + WORD + "(?:" + WORD + "|[ \\-/])+):" + SPACE
            + "*(\"(?:\\\\.|[^\\\\\"])+\"|[^,]*)(?:,|$)", Pattern.UNIX_LINES | Pattern.DOTALL);
    private static final Pattern IMAGE_SIZE = Pattern.compile("(\\d+)x(\\d+)");
    private static final Pattern LEADING_SPACE = Pattern.compile("^" + SPACE + "+");
    private static final Pattern TRAILING_SPACE = Pattern.compile(SPACE + "+\\z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Infotext() {
    }

    /**
     * The infotext of a prompt, negative prompt (empty for none) and parameters, in the map's order;
     * null values are left out, and a parameter whose value equals its key is written as the key alone.
     */
    public static String format(String prompt, String negativePrompt, Map<String, String> parameters) {
        StringBuilder line = new StringBuilder();
        parameters.forEach((key, value) -> {
            if (value == null) {
                return;
            }
            if (line.length() > 0) {
                line.append(", ");
            }
            line.append(key.equals(value) ? key : key + ": " + quote(value));
        });
        String negative = negativePrompt == null || negativePrompt.isEmpty() ? "" : "\nNegative prompt: " + negativePrompt;
        return strip(prompt + negative + "\n" + line);
    }

    /** A1111's {@code quote}: the value as a JSON string if it has a comma, colon or line break, else as it is. */
    public static String quote(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('\n') < 0 && value.indexOf(':') < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c)); // Python writes lower-case hex
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** A1111's {@code unquote}: a JSON string decoded, anything else (or invalid JSON) as it is. */
    public static String unquote(String text) {
        if (text.length() < 2 || text.charAt(0) != '"' || text.charAt(text.length() - 1) != '"') {
            return text;
        }
        try {
            return JSON.readValue(text, String.class);
        } catch (JsonProcessingException e) {
            return text;
        }
    }

    /**
     * The fields of an infotext by A1111's rules (see the class description): {@value #PROMPT},
     * {@value #NEGATIVE_PROMPT}, then every parameter in order of appearance (a later repeat of a
     * key replaces the value).
     */
    public static Map<String, String> parse(String infotext) {
        List<String> lines = new java.util.ArrayList<>(List.of(strip(infotext).split("\n", -1)));
        String lastLine = lines.remove(lines.size() - 1);
        if (count(PARAMETER.matcher(lastLine)) < 3) {
            lines.add(lastLine);
            lastLine = "";
        }
        StringBuilder prompt = new StringBuilder();
        StringBuilder negative = new StringBuilder();
        boolean doneWithPrompt = false;
        for (String raw : lines) {
            String line = strip(raw);
            if (line.startsWith(NEGATIVE_PROMPT + ":")) {
                doneWithPrompt = true;
                line = strip(line.substring(NEGATIVE_PROMPT.length() + 1));
            }
            StringBuilder target = doneWithPrompt ? negative : prompt;
            if (target.length() > 0) {
                target.append('\n');
            }
            target.append(line);
        }
        Map<String, String> result = new LinkedHashMap<>();
        result.put(PROMPT, prompt.toString());
        result.put(NEGATIVE_PROMPT, negative.toString());
        Matcher pairs = PARAMETER.matcher(lastLine);
        while (pairs.find()) {
            String key = pairs.group(1);
            String value = pairs.group(2);
            if (value.isEmpty()) {
                continue; // A1111 fails on v[0] for an empty value and skips the pair
            }
            if (value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
                value = unquote(value);
            }
            Matcher size = IMAGE_SIZE.matcher(value);
            if (size.matches()) {
                result.put(key + "-1", size.group(1));
                result.put(key + "-2", size.group(2));
            } else {
                result.put(key, value);
            }
        }
        return result;
    }

    private static int count(Matcher matcher) {
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    /** Python's {@code str.strip()}. */
    static String strip(String text) {
        return TRAILING_SPACE.matcher(LEADING_SPACE.matcher(text).replaceFirst("")).replaceFirst("");
    }
}
