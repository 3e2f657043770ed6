package dev.lathe.checkpoint;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.model.Recognition;
import dev.lathe.config.PluginCatalog;
import dev.lathe.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which installed model family a base checkpoint belongs to, decided from its headers alone (no
 * tensor data is read, so it takes milliseconds even for a 7 GB file). A pipeline asks before its
 * first stage runs, so that a truncated, damaged or foreign checkpoint stops the run with the
 * family's explanation instead of hours later; {@code lathe inspect} asks to print the family.
 */
public final class CheckpointRecognizer {

    private final List<BaseModelFamily> families;

    /** @param families the families to ask, in the order they are asked */
    public CheckpointRecognizer(List<BaseModelFamily> families) {
        this.families = List.copyOf(families);
    }

    /** A recognizer over every model family installed in {@code catalog}, asked in id order. */
    public static CheckpointRecognizer installed(PluginCatalog catalog) {
        return new CheckpointRecognizer(catalog.ids(BaseModelFamily.class).stream()
                .map(id -> catalog.find(BaseModelFamily.class, id).orElseThrow()).toList());
    }

    /**
     * What every family made of a checkpoint.
     *
     * @param recognition the first family's recognition that accepted it, or null when none did
     * @param reasons     for each family that did not: {@code "<id>: <why not>"}
     */
    public record Detection(Recognition recognition, List<String> reasons) {

        public Detection {
            reasons = List.copyOf(reasons);
        }

        public boolean recognized() {
            return recognition != null;
        }

        /** Why no family accepted the checkpoint, in words; empty when one did. */
        public String note() {
            if (recognized()) {
                return "";
            }
            return reasons.isEmpty() ? "no model family plugin is installed"
                    : "not a checkpoint of an installed family (" + String.join("; ", reasons) + ")";
        }
    }

    /**
     * Asks each family in turn until one recognizes the checkpoint.
     *
     * @param source   the checkpoint's path, named in errors
     * @param tensors  its tensors (see {@link CheckpointFiles#tensors()})
     * @param metadata its metadata (see {@link CheckpointFiles#metadata()})
     * @throws InvalidInputException when a family claims the checkpoint but finds tensors missing
     *         or misshapen: the family's message, prefixed with {@code source}
     */
    public Detection detect(Path source, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        List<String> reasons = new ArrayList<>();
        for (BaseModelFamily family : families) {
            Recognition r = recognize(family, source, tensors, metadata);
            if (r.recognized()) {
                return new Detection(r, List.of());
            }
            reasons.add(family.id() + ": " + (r.reason() == null || r.reason().isBlank() ? "not recognized" : r.reason()));
        }
        return new Detection(null, reasons);
    }

    /**
     * Checks that a pipeline's checkpoint can be used: reads its headers and asks the family the
     * config names, or every installed family when it names none.
     *
     * @param checkpoint a {@code .safetensors} file or a diffusers folder
     * @param familyId   the config's {@code family}, or null to detect it
     * @return the recognition of the family that accepted it
     * @throws InvalidInputException one paragraph naming the file, what is wrong and what to do:
     *         unreadable or malformed, tensors missing or misshapen, of another family, or of no
     *         installed family
     */
    public Recognition require(Path checkpoint, String familyId) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        try (CheckpointFiles files = open(checkpoint)) {
            if (familyId == null) {
                Detection detection = detect(checkpoint, files.tensors(), files.metadata());
                if (!detection.recognized()) {
                    throw new InvalidInputException("The checkpoint " + checkpoint + " cannot be used: "
                            + detection.note() + ". Check that it is a complete Stable Diffusion checkpoint (not a LoRA, "
                            + "VAE or UNet-only file; re-download or re-export it if it may be damaged), or install the "
                            + "model family it names and set \"family\" in the pipeline config.");
                }
                return detection.recognition();
            }
            BaseModelFamily family = families.stream().filter(f -> f.id().equals(familyId)).findFirst()
                    .orElseThrow(() -> new InvalidInputException("The pipeline names the model family \"" + familyId
                            + "\", which is not installed (installed: " + String.join(", ", ids()) + "). Install its "
                            + "plugin, or leave \"family\" out to detect the family from the checkpoint."));
            Recognition r = recognize(family, checkpoint, files.tensors(), files.metadata());
            if (!r.recognized()) {
                throw new InvalidInputException("The checkpoint " + checkpoint + " is not a checkpoint of the model family \""
                        + familyId + "\" that the pipeline names: " + r.reason() + ". Give a checkpoint of that family, "
                        + "or set \"family\" to the family the file belongs to (or leave it out to detect it).");
            }
            return r;
        } catch (IOException e) {
            throw new InvalidInputException("The checkpoint " + checkpoint + " cannot be read: " + e.getMessage()
                    + ". Check that the file exists, is readable and is not still being copied.", e);
        }
    }

    private static CheckpointFiles open(Path checkpoint) throws IOException {
        if (!Files.exists(checkpoint)) {
            throw new InvalidInputException("The checkpoint " + checkpoint + " does not exist. Give a .safetensors "
                    + "file or a diffusers folder.");
        }
        return CheckpointFiles.open(checkpoint);
    }

    private static Recognition recognize(BaseModelFamily family, Path source, Map<String, TensorInfo> tensors,
                                         Map<String, String> metadata) {
        try {
            return family.recognize(tensors, metadata);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(source + ": " + e.getMessage(), e);
        }
    }

    private List<String> ids() {
        return families.stream().map(BaseModelFamily::id).toList();
    }
}
