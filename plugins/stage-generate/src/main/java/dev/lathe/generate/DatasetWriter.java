package dev.lathe.generate;

import dev.lathe.api.InvalidInputException;
import dev.lathe.text.PromptParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Lays rendered images out as a kohya-ss dataset folder, so that a train stage can learn from
 * them: {@code <root>/<repeats>_<name>/} holding a copy of each image and a same-named {@code .txt}
 * caption file with one line (the given caption, or the image's prompt as plain text).
 */
final class DatasetWriter {

    /**
     * What the dataset looks like.
     *
     * @param repeats how often kohya uses each image per epoch: the number before the folder's {@code _}
     * @param name    the rest of the folder's name (kohya's class tokens)
     * @param caption every image's caption, or null for the prompt it was rendered from, as plain text
     */
    record Spec(int repeats, String name, String caption) {

        Spec {
            if (repeats < 1) {
                throw new IllegalArgumentException("repeats must be at least 1, got " + repeats);
            }
            name = name.strip();
            caption = caption == null ? null : oneLine(caption);
        }

        /** kohya's folder name, {@code <repeats>_<name>}. */
        String folderName() {
            return repeats + "_" + name;
        }

        /**
         * Why {@code name} cannot name the folder, as the end of a sentence, or null when it can: it
         * becomes part of one folder name, so it must be a plain name without separators.
         */
        String nameProblem() {
            if (name.isEmpty()) {
                return "is empty";
            }
            if (name.chars().anyMatch(c -> c == '/' || c == '\\' || c == ':' || Character.isISOControl(c))) {
                return "contains a path separator, a colon or a control character";
            }
            return null;
        }
    }

    private final Spec spec;
    private final Path root;
    private final Path folder;
    private int images;

    private DatasetWriter(Spec spec, Path root) {
        this.spec = spec;
        this.root = root;
        this.folder = root.resolve(spec.folderName());
    }

    /**
     * A writer into {@code root}, which is emptied first: a dataset left by an earlier run of the
     * stage would otherwise mix stale images into training.
     *
     * @param owner names the option in errors, e.g. {@code stage "bad"}
     */
    static DatasetWriter create(Path root, Spec spec, String owner) throws IOException {
        String problem = spec.nameProblem();
        if (problem != null) {
            throw new InvalidInputException("The dataset name \"" + spec.name() + "\" of " + owner + " " + problem
                    + ": it names the kohya folder " + spec.repeats() + "_<name>. Use a plain name such as \"wrong\".");
        }
        deleteTree(root);
        DatasetWriter writer = new DatasetWriter(spec, root);
        Files.createDirectories(writer.folder);
        return writer;
    }

    /** The dataset folder (holding the {@code <repeats>_<name>} folder): what a train stage's {@code dataset} names. */
    Path root() {
        return root;
    }

    /** The {@code <repeats>_<name>} folder. */
    Path folder() {
        return folder;
    }

    int images() {
        return images;
    }

    /**
     * Copies {@code image} into the dataset as {@code fileName} (a {@code .png} name) with its
     * caption beside it, both atomically.
     *
     * @param prompt the prompt the image was rendered from (A1111 syntax), the caption unless the spec gives one
     */
    void add(Path image, String fileName, String prompt) throws IOException {
        Path target = folder.resolve(fileName);
        Path temp = temporary(target);
        try {
            Files.copy(image, temp);
            move(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
        String stem = fileName.substring(0, fileName.lastIndexOf('.'));
        writeText(folder.resolve(stem + ".txt"), spec.caption() != null ? spec.caption() : plainCaption(prompt));
        images++;
    }

    /**
     * A prompt as a training caption: the text without emphasis brackets and weights, without
     * {@code <lora:…>} and other tags, {@code BREAK} as a comma, on one line.
     */
    static String plainCaption(String prompt) {
        String text = PromptParser.parse(prompt).segments().stream()
                .map(s -> s.isBreak() ? ", " : s.text())
                .collect(Collectors.joining());
        return oneLine(text).replaceAll("\\s+,", ",").replaceAll(",(\\s*,)+", ",").replaceAll("^,\\s*|,\\s*$", "");
    }

    /** kohya reads a caption file's first line: every run of white space (line breaks too) becomes one space. */
    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }

    private static void writeText(Path target, String text) throws IOException {
        Path temp = temporary(target);
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            move(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A temporary file beside {@code target}, hidden, so that a rename finishes the write in one step. */
    private static Path temporary(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Override
    public String toString() {
        return folder + " (" + images + " images, captions " + (spec.caption() != null ? "\"" + spec.caption() + "\"" : "from the prompts")
                + ")";
    }
}
