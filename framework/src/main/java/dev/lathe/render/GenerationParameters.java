package dev.lathe.render;

import dev.lathe.api.InvalidInputException;
import dev.lathe.sampling.SamplerNames;
import dev.lathe.sampling.Schedule;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The settings an image was rendered with, as AUTOMATIC1111 records them in a PNG's
 * {@code parameters} chunk ({@link Infotext} is the text layout). Lathe writes, in A1111 1.10's
 * order:
 * <pre>
 * Steps, Sampler, Schedule type, CFG scale, Seed, Size, Model hash, Model, Clip skip (only if &gt; 1),
 * RNG, any other parameters, Lora hashes, Version
 * </pre>
 *
 * <ul>
 * <li>{@code Sampler} is the algorithm's A1111 name without the schedule ({@code DPM++ 2M}), and
 *     {@code Schedule type} the schedule: {@code Karras}, {@code Uniform} (k-diffusion's default
 *     schedule, what A1111 calls "Uniform") or, for DDIM, {@code Automatic}. Lathe never writes
 *     "Automatic" for the k-diffusion samplers, because A1111 1.10 reads it as Karras for DPM++ 2M
 *     and DPM++ SDE.
 * <li>{@code RNG: CPU}: Lathe's noise is A1111's "CPU" random source ({@link dev.lathe.sampling.SeededNoise});
 *     with this key A1111 switches to that source when the parameters are pasted, so the same seed
 *     gives the same starting noise.
 * <li>{@code Model hash}: the first 10 hex digits of the checkpoint file's SHA-256 (A1111's
 *     "short hash"); {@code Model}: its file name without extension.
 * <li>{@code Lora hashes}: {@code "name: hash, ..."}, the name as written in the prompt's
 *     {@code <lora:name:…>} tag without {@code :} and {@code ,}, the hash the first 12 hex digits of
 *     the file's {@code sshs_model_hash}.
 * <li>{@code Version}: {@code Lathe <version>}, which A1111's version-dependent compatibility
 *     rules ignore (they only act on its own {@code v1.x.y}).
 * </ul>
 *
 * @param prompt         the prompt as it was rendered, including {@code <lora:…>} tags
 * @param negativePrompt the negative prompt, empty for none
 * @param sampler        the sampler's A1111 name without schedule, e.g. {@code Euler a}
 * @param scheduleType   A1111's "Schedule type", or null when absent (A1111 before 1.9)
 * @param modelHash      10 hex digits, or null when unknown
 * @param modelName      the checkpoint's name, or null
 * @param clipSkip       1 = the model's usual text-encoder layer
 * @param rng            the random source ({@code CPU}); null when absent, which A1111 reads as {@code GPU}
 * @param loraHashes     LoRA name → 12-hex-digit short hash, in prompt order
 * @param version        the program that rendered it, or null
 * @param extra          any other parameters, in order
 */
public record GenerationParameters(String prompt, String negativePrompt, int steps, String sampler, String scheduleType,
        double cfgScale, long seed, int width, int height, String modelHash, String modelName, int clipSkip, String rng,
        Map<String, String> loraHashes, String version, Map<String, String> extra) {

    /** A1111's schedule names for Lathe's schedules. */
    public static final String UNIFORM = "Uniform";
    public static final String KARRAS = "Karras";
    public static final String AUTOMATIC = "Automatic";

    static final String STEPS = "Steps";
    static final String SAMPLER = "Sampler";
    static final String SCHEDULE_TYPE = "Schedule type";
    static final String CFG_SCALE = "CFG scale";
    static final String SEED = "Seed";
    static final String SIZE = "Size";
    static final String MODEL_HASH = "Model hash";
    static final String MODEL = "Model";
    static final String CLIP_SKIP = "Clip skip";
    static final String RNG = "RNG";
    static final String LORA_HASHES = "Lora hashes";
    static final String VERSION = "Version";

    private static final Set<String> KNOWN = Set.of(Infotext.PROMPT, Infotext.NEGATIVE_PROMPT, STEPS, SAMPLER,
            SCHEDULE_TYPE, CFG_SCALE, SEED, SIZE + "-1", SIZE + "-2", MODEL_HASH, MODEL, CLIP_SKIP, RNG, LORA_HASHES,
            VERSION);

    public GenerationParameters {
        Objects.requireNonNull(prompt, "prompt");
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        Objects.requireNonNull(sampler, "sampler");
        loraHashes = Collections.unmodifiableMap(new LinkedHashMap<>(loraHashes == null ? Map.of() : loraHashes));
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra == null ? Map.of() : extra));
    }

    /** The "Schedule type" Lathe writes for {@code schedule}. */
    public static String scheduleType(Schedule schedule) {
        return switch (schedule) {
            case KARRAS -> KARRAS;
            case DEFAULT -> UNIFORM;
            case DDIM -> AUTOMATIC;
        };
    }

    /** These parameters with {@code key: value} added to (or replaced in) the other parameters. */
    public GenerationParameters withExtra(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(extra);
        more.put(key, value);
        return new GenerationParameters(prompt, negativePrompt, steps, sampler, scheduleType, cfgScale, seed, width, height,
                modelHash, modelName, clipSkip, rng, loraHashes, version, more);
    }

    /** The parameters as A1111's infotext. */
    public String toInfotext() {
        return Infotext.format(prompt, negativePrompt, parameters());
    }

    /** The parameter line's entries, in order, with Lathe's formatting of numbers. */
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(STEPS, Integer.toString(steps));
        p.put(SAMPLER, sampler);
        p.put(SCHEDULE_TYPE, scheduleType);
        p.put(CFG_SCALE, number(cfgScale));
        p.put(SEED, Long.toString(seed));
        p.put(SIZE, width + "x" + height);
        p.put(MODEL_HASH, modelHash);
        p.put(MODEL, modelName);
        p.put(CLIP_SKIP, clipSkip > 1 ? Integer.toString(clipSkip) : null);
        p.put(RNG, rng);
        extra.forEach(p::putIfAbsent);
        p.put(LORA_HASHES, loraHashes.isEmpty() ? null : loraHashList(loraHashes));
        p.put(VERSION, version);
        return p;
    }

    /**
     * Reads an infotext (A1111's or Lathe's) by A1111's rules.
     *
     * @throws InvalidInputException when it lacks Steps, Sampler, CFG scale, Seed or Size, or one
     *     of them is not a number of the right kind
     */
    public static GenerationParameters fromInfotext(String infotext) {
        Map<String, String> fields = Infotext.parse(infotext);
        List<String> missing = new ArrayList<>();
        for (String key : List.of(STEPS, SAMPLER, CFG_SCALE, SEED, SIZE + "-1", SIZE + "-2")) {
            if (!fields.containsKey(key)) {
                missing.add(key.replace("-1", "").replace("-2", ""));
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidInputException("The generation parameters lack " + String.join(", ",
                    missing.stream().distinct().toList()) + ", so they do not say how the image was made. They read: \""
                    + infotext + "\".");
        }
        Map<String, String> extra = new LinkedHashMap<>();
        fields.forEach((key, value) -> {
            if (!KNOWN.contains(key)) {
                extra.put(key, value);
            }
        });
        return new GenerationParameters(fields.get(Infotext.PROMPT), fields.get(Infotext.NEGATIVE_PROMPT),
                integer(fields, STEPS), fields.get(SAMPLER), fields.get(SCHEDULE_TYPE), decimal(fields, CFG_SCALE),
                longValue(fields, SEED), integer(fields, SIZE + "-1"), integer(fields, SIZE + "-2"), fields.get(MODEL_HASH),
                fields.get(MODEL), fields.containsKey(CLIP_SKIP) ? integer(fields, CLIP_SKIP) : 1, fields.get(RNG),
                parseLoraHashes(fields.get(LORA_HASHES)), fields.get(VERSION), extra);
    }

    /**
     * The sampler and schedule these parameters name, as A1111 1.10 reads them: the sampler with
     * its schedule type; without a schedule type (A1111 before 1.9) the sampler name alone, which
     * may end in "Karras"; "Automatic" as A1111 1.10 resolves it (Karras for DPM++ 2M and DPM++
     * SDE, the default schedule for the others).
     *
     * @throws InvalidInputException for a sampler or schedule Lathe does not have
     */
    public SamplerNames.Choice samplerChoice() {
        if (scheduleType == null) {
            return SamplerNames.resolve(sampler);
        }
        String schedule = scheduleType.trim();
        if (schedule.equalsIgnoreCase(KARRAS)) {
            return SamplerNames.resolve(sampler + " Karras");
        }
        if (schedule.equalsIgnoreCase(UNIFORM)) {
            return SamplerNames.resolve(sampler);
        }
        if (schedule.equalsIgnoreCase(AUTOMATIC)) {
            SamplerNames.Choice plain = SamplerNames.resolve(sampler);
            String name = plain.displayName();
            if (name.equals("DPM++ 2M") || name.equals("DPM++ SDE")) {
                return SamplerNames.resolve(name + " Karras");
            }
            if (name.equals("DPM++ 2M SDE") || name.equals("DPM++ 3M SDE")) {
                throw new InvalidInputException("The parameters name sampler " + sampler + " with the schedule "
                        + "\"Automatic\", which A1111 1.10 runs with the exponential schedule; Lathe has the Uniform "
                        + "and Karras schedules only. Choose \"" + name + " Karras\" instead.");
            }
            return plain;
        }
        throw new InvalidInputException("The parameters name the schedule type \"" + scheduleType + "\", which Lathe "
                + "does not have: it has Uniform (k-diffusion's default) and Karras.");
    }

    /** {@code "a: 0123456789ab, b: ..."} → name → hash. */
    static Map<String, String> parseLoraHashes(String text) {
        Map<String, String> hashes = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return hashes;
        }
        for (String entry : text.split(",")) {
            int colon = entry.lastIndexOf(':');
            if (colon > 0) {
                hashes.put(entry.substring(0, colon).trim(), entry.substring(colon + 1).trim());
            }
        }
        return hashes;
    }

    static String loraHashList(Map<String, String> hashes) {
        List<String> entries = new ArrayList<>();
        hashes.forEach((name, hash) -> entries.add(name + ": " + hash));
        return String.join(", ", entries);
    }

    /** A1111's LoRA name in "Lora hashes": the tag's name without {@code :} and {@code ,}. */
    public static String loraHashName(String name) {
        return name.replace(":", "").replace(",", "");
    }

    /** {@code 7} for 7.0, {@code 7.5} for 7.5: no trailing zeros, never an exponent. */
    public static String number(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite number: " + value);
        }
        String plain = new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
        return plain.equals("-0") ? "0" : plain;
    }

    private static int integer(Map<String, String> fields, String key) {
        long value = longValue(fields, key);
        if (value != (int) value) {
            throw notNumber(key, fields.get(key));
        }
        return (int) value;
    }

    private static long longValue(Map<String, String> fields, String key) {
        String text = fields.get(key).trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw notNumber(key, text);
        }
    }

    private static double decimal(Map<String, String> fields, String key) {
        String text = fields.get(key).trim();
        try {
            double value = Double.parseDouble(text);
            if (!Double.isFinite(value)) {
                throw notNumber(key, text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw notNumber(key, text);
        }
    }

    private static InvalidInputException notNumber(String key, String text) {
        return new InvalidInputException("The generation parameter \"" + key.replace("-1", "").replace("-2", "")
                + "\" is \"" + text + "\", which is not a " + (key.equals(CFG_SCALE) ? "number" : "whole number") + ".");
    }
}
