package dev.lathe.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of a kohya-ss sample-prompt file, read exactly as sd-scripts'
 * {@code train_util.line_to_prompt_dict} reads it:
 * <pre>
 * 1girl, solo, smiling --n lowres, blurry --w 512 --h 768 --s 28 --l 7 --d 42 --ss euler_a
 * </pre>
 * The line is split at every {@code " --"}; the first part is the prompt. Then every part, the
 * first one included (a kohya quirk, kept), is matched case-insensitively at its start against
 * the options, the first that matches winning and later parts overriding earlier ones:
 *
 * <table>
 * <caption>options</caption>
 * <tr><td>{@code w N}</td><td>width (default 512)</td></tr>
 * <tr><td>{@code h N}</td><td>height (default 512)</td></tr>
 * <tr><td>{@code d N}</td><td>seed (default: a random one, and no seed in the file name)</td></tr>
 * <tr><td>{@code s N}</td><td>steps, clamped to 1..1000 (default 30)</td></tr>
 * <tr><td>{@code l X}</td><td>CFG scale (default 7.5)</td></tr>
 * <tr><td>{@code n TEXT}</td><td>negative prompt (the rest of the part, as written)</td></tr>
 * <tr><td>{@code ss NAME}</td><td>sampler (default: the training's {@code sample_sampler}, {@code ddim})</td></tr>
 * <tr><td>{@code g X}, {@code cn PATH}, {@code ctr X}, {@code rcfg X}, {@code fs X}</td><td>guidance scale, ControlNet
 * image, CFG truncation, renormalized CFG and flow shift of other model types: recognized and
 * listed in {@link #ignored}, not applied</td></tr>
 * </table>
 * Anything else is ignored, as kohya ignores it; a number that does not parse leaves the option
 * unset (kohya logs it and goes on). Numbers are ASCII digits.
 *
 * @param index          the prompt's position in its file (0-based; kohya's {@code enum}, used in file names)
 * @param prompt         the first part, as written
 * @param negativePrompt the {@code --n} text, or null
 * @param width          {@code --w}, or null
 * @param height         {@code --h}, or null
 * @param steps          {@code --s} (already clamped), or null
 * @param scale          {@code --l}, or null
 * @param seed           {@code --d}, or null
 * @param sampler        {@code --ss}, or null
 * @param ignored        the options recognized but not applied, as written ({@code --cn control.png})
 */
public record SamplePrompt(int index, String prompt, String negativePrompt, Integer width, Integer height, Integer steps,
        Double scale, Long seed, String sampler, List<String> ignored) {

    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
    private static final Pattern WIDTH = Pattern.compile("w (\\d+)", FLAGS);
    private static final Pattern HEIGHT = Pattern.compile("h (\\d+)", FLAGS);
    private static final Pattern SEED = Pattern.compile("d (\\d+)", FLAGS);
    private static final Pattern STEPS = Pattern.compile("s (\\d+)", FLAGS);
    private static final Pattern SCALE = Pattern.compile("l ([\\d.]+)", FLAGS);
    private static final Pattern GUIDANCE = Pattern.compile("g ([\\d.]+)", FLAGS);
    private static final Pattern NEGATIVE = Pattern.compile("n (.+)", FLAGS);
    private static final Pattern SAMPLER = Pattern.compile("ss (.+)", FLAGS);
    private static final Pattern OTHER_MODELS = Pattern.compile("(cn|ctr|rcfg|fs) (.+)", FLAGS);

    public SamplePrompt {
        ignored = List.copyOf(ignored);
    }

    /** Reads one (already stripped) line of a prompt file. */
    public static SamplePrompt parse(String line, int index) {
        String[] parts = line.split(" --", -1);
        String negative = null;
        Integer width = null;
        Integer height = null;
        Integer steps = null;
        Double scale = null;
        Long seed = null;
        String sampler = null;
        List<String> ignored = new ArrayList<>();
        for (String part : parts) {
            Matcher m;
            if ((m = at(WIDTH, part)) != null) {
                width = integer(m.group(1), width);
            } else if ((m = at(HEIGHT, part)) != null) {
                height = integer(m.group(1), height);
            } else if ((m = at(SEED, part)) != null) {
                seed = longValue(m.group(1), seed);
            } else if ((m = at(STEPS, part)) != null) {
                Long s = longValue(m.group(1), null);
                steps = s == null ? steps : (int) Math.max(1, Math.min(1000, s));
            } else if ((m = at(SCALE, part)) != null) {
                scale = decimal(m.group(1), scale);
            } else if (at(GUIDANCE, part) != null) {
                ignored.add("--" + part);
            } else if ((m = at(NEGATIVE, part)) != null) {
                negative = m.group(1);
            } else if ((m = at(SAMPLER, part)) != null) {
                sampler = m.group(1);
            } else if (at(OTHER_MODELS, part) != null) {
                ignored.add("--" + part);
            }
        }
        return new SamplePrompt(index, parts[0], negative, width, height, steps, scale, seed, sampler, ignored);
    }

    /** The part's match at its start ({@code re.match}), or null. */
    private static Matcher at(Pattern pattern, String part) {
        Matcher m = pattern.matcher(part);
        return m.lookingAt() ? m : null;
    }

    private static Integer integer(String digits, Integer previous) {
        Long value = longValue(digits, null);
        return value == null || value > Integer.MAX_VALUE ? previous : Integer.valueOf(value.intValue());
    }

    private static Long longValue(String digits, Long previous) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return previous;
        }
    }

    private static Double decimal(String text, Double previous) {
        try {
            // Python's float() accepts "7.", ".5" and "7.5" but not "7.5.1" or "."
            return text.chars().filter(c -> c == '.').count() <= 1 && !text.equals(".") ? Double.valueOf(text) : previous;
        } catch (NumberFormatException e) {
            return previous;
        }
    }

    /**
     * The render this prompt asks for, with {@code defaults} for what the line leaves out. Width and
     * height are rounded down to a multiple of 8 and at least 64, as kohya does; the prompt and the
     * negative prompt are stripped of surrounding spaces; no seed means a random seed (−1).
     */
    public RenderRequest toRequest(SampleDefaults defaults) {
        int w = Math.max(64, (width == null ? defaults.width() : width) / 8 * 8);
        int h = Math.max(64, (height == null ? defaults.height() : height) / 8 * 8);
        String neg = negativePrompt == null ? defaults.negativePrompt() : negativePrompt.strip();
        String chosenSampler = KohyaSamplers.toLathe(sampler == null ? defaults.sampler() : sampler);
        return new RenderRequest(prompt.strip(), neg, chosenSampler, steps == null ? defaults.steps() : steps,
                scale == null ? defaults.scale() : scale, seed == null ? -1 : seed, w, h, defaults.clipSkip(), List.of());
    }

    /** What the line says, for logs: {@code #3 "1girl" --w 512 ...} without unset options. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("#" + index + " \"" + prompt.strip() + "\"");
        if (negativePrompt != null) {
            s.append(" --n ").append(negativePrompt);
        }
        append(s, "w", width);
        append(s, "h", height);
        append(s, "s", steps);
        append(s, "l", scale);
        append(s, "d", seed);
        append(s, "ss", sampler == null ? null : sampler.toLowerCase(Locale.ROOT));
        return s.toString();
    }

    private static void append(StringBuilder s, String option, Object value) {
        if (value != null) {
            s.append(" --").append(option).append(' ').append(value);
        }
    }
}
