package dev.lathe.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * kohya-ss sample-prompt files and sample-image names.
 *
 * <p><b>Files</b> ({@code --sample_prompts}), read as sd-scripts reads them:
 * <ul>
 * <li>{@code .json}: a JSON array of prompt lines (strings, parsed as lines) or objects with
 *     kohya's keys ({@code prompt}, {@code negative_prompt}, {@code width}, {@code height},
 *     {@code sample_steps}, {@code scale}, {@code seed}, {@code sample_sampler});
 * <li>{@code .toml}: refused (Lathe reads no TOML; write the prompts as lines or JSON);
 * <li>anything else as text, UTF-8: every line, stripped of surrounding white space, that is not
 *     empty and does not start with {@code #} in its first column is one prompt in
 *     {@link SamplePrompt}'s syntax (a {@code #} after leading spaces does not make a comment, as
 *     in kohya). A byte-order mark is ignored.
 * </ul>
 * A prompt's index (in file names) is its position among the prompts.
 *
 * <p><b>Names</b>: {@code <name>_e000003_00_20240101120000_42.png} for epoch 3, prompt 0, the
 * local time, seed 42; {@code <name>_000120_00_…} when sampling by step (step 120); no
 * {@code <name>_} without an output name and no {@code _42} for a prompt without a seed.
 */
public final class SamplePromptFile {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT);

    private SamplePromptFile() {
    }

    /**
     * The prompts of {@code file}.
     *
     * @throws InvalidInputException for a missing, unreadable or malformed file, or a file without prompts
     */
    public static List<SamplePrompt> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("The sample prompt file " + file + " does not exist (or is not a file).");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".toml")) {
            throw new InvalidInputException("The sample prompt file " + file + " is TOML, which Lathe does not read. Write "
                    + "the prompts one per line in kohya's syntax (prompt --n negative --w 512 --h 768 --s 28 --l 7 --d 42) "
                    + "in a .txt file, or as a JSON array.");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("The sample prompt file " + file + " is not UTF-8 text. Save it as UTF-8.");
        } catch (IOException e) {
            throw new InvalidInputException("The sample prompt file " + file + " cannot be read: " + e.getMessage() + ".", e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<SamplePrompt> prompts = name.endsWith(".json") ? json(text, file) : lines(text);
        if (prompts.isEmpty()) {
            throw new InvalidInputException("The sample prompt file " + file + " holds no prompts (only empty lines or "
                    + "# comments).");
        }
        return prompts;
    }

    /** The prompts of text in kohya's line syntax. */
    public static List<SamplePrompt> lines(String text) {
        List<SamplePrompt> prompts = new ArrayList<>();
        for (String line : text.split("\r\n|\r|\n", -1)) {
            String stripped = line.strip();
            if (!stripped.isEmpty() && !line.startsWith("#")) {
                prompts.add(SamplePrompt.parse(stripped, prompts.size()));
            }
        }
        return prompts;
    }

    private static List<SamplePrompt> json(String text, Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new InvalidInputException("The sample prompt file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new InvalidInputException("The sample prompt file " + file + " must hold a JSON array of prompts (strings "
                    + "in kohya's line syntax, or objects with \"prompt\", \"negative_prompt\", \"width\", ...).");
        }
        List<SamplePrompt> prompts = new ArrayList<>();
        for (JsonNode item : root) {
            int index = prompts.size();
            if (item.isTextual()) {
                prompts.add(SamplePrompt.parse(item.asText(), index));
            } else if (item.isObject()) {
                prompts.add(fromObject(item, index, file));
            } else {
                throw new InvalidInputException("Prompt " + index + " of " + file + " is neither a string nor an object.");
            }
        }
        return prompts;
    }

    private static SamplePrompt fromObject(JsonNode item, int index, Path file) {
        List<String> ignored = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
            String key = it.next().getKey();
            if (!List.of("prompt", "negative_prompt", "width", "height", "sample_steps", "scale", "seed", "sample_sampler",
                    "enum").contains(key)) {
                ignored.add(key);
            }
        }
        if (!item.path("prompt").isTextual()) {
            throw new InvalidInputException("Prompt " + index + " of " + file + " has no \"prompt\" text.");
        }
        return new SamplePrompt(index, item.get("prompt").asText(), text(item, "negative_prompt"),
                number(item, "width", file, index), number(item, "height", file, index),
                number(item, "sample_steps", file, index) == null ? null
                        : Math.max(1, Math.min(1000, number(item, "sample_steps", file, index))),
                item.path("scale").isNumber() ? item.get("scale").asDouble() : null,
                item.path("seed").isIntegralNumber() ? item.get("seed").asLong() : null, text(item, "sample_sampler"),
                ignored);
    }

    private static String text(JsonNode item, String key) {
        return item.path(key).isTextual() ? item.get(key).asText() : null;
    }

    private static Integer number(JsonNode item, String key, Path file, int index) {
        JsonNode value = item.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber()) {
            throw new InvalidInputException("\"" + key + "\" of prompt " + index + " in " + file + " is not a whole number.");
        }
        return value.asInt();
    }

    /**
     * kohya's sample-image file name.
     *
     * @param outputName the training's output name, or null
     * @param epoch      the epoch when sampling at an epoch's end, else null
     * @param step       the global step (used when {@code epoch} is null)
     * @param index      the prompt's index in its file
     * @param time       the local time of the render
     * @param seed       the prompt's {@code --d} seed, or null
     */
    public static String fileName(String outputName, Integer epoch, long step, int index, LocalDateTime time, Long seed) {
        String number = epoch != null ? String.format(Locale.ROOT, "e%06d", epoch) : String.format(Locale.ROOT, "%06d", step);
        return (outputName == null ? "" : outputName + "_") + number + "_" + String.format(Locale.ROOT, "%02d", index) + "_"
                + TIMESTAMP.format(time) + (seed == null ? "" : "_" + seed) + ".png";
    }
}
