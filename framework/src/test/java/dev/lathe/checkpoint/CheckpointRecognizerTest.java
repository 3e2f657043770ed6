package dev.lathe.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.BaseModel;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.api.model.Recognition;
import dev.lathe.config.MapPluginCatalog;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import dev.lathe.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointRecognizerTest {

    @TempDir
    Path dir;

    /**
     * A family whose checkpoints hold {@code <id>.weight} and {@code <id>.bias}; one with the
     * weight but not the bias is claimed and refused as incomplete.
     */
    record KeyFamily(String id) implements BaseModelFamily {
        @Override
        public String description() {
            return "checkpoints with " + id + ".weight";
        }

        @Override
        public Recognition recognize(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
            if (!tensors.containsKey(id + ".weight")) {
                return Recognition.notRecognized(id, "no " + id + ".weight");
            }
            if (!tensors.containsKey(id + ".bias")) {
                throw new InvalidInputException("The checkpoint is not a complete " + id + " checkpoint: "
                        + id + ".bias is missing.");
            }
            return Recognition.recognized(id, id.toUpperCase() + " " + metadata.getOrDefault("variant", "base"), Map.of());
        }

        @Override
        public Recognition recognize(Map<String, TensorInfo> tensors) {
            return recognize(tensors, Map.of());
        }

        @Override
        public BaseModel load(Path checkpoint, LoadOptions options) {
            throw new UnsupportedOperationException("not loaded in these tests");
        }

        @Override
        public List<LoraTarget> loraTargets(Map<String, TensorInfo> tensors, LoraScope scope) {
            return List.of();
        }
    }

    private final CheckpointRecognizer recognizer = CheckpointRecognizer.installed(
            MapPluginCatalog.of(new KeyFamily("beta"), new KeyFamily("alpha")));

    private Path checkpoint(String name, Map<String, String> metadata, String... tensors) throws IOException {
        Map<String, Tensor> content = new LinkedHashMap<>();
        for (String tensor : tensors) {
            content.put(tensor, Tensor.ofFloats(new long[] {1}, new float[] {0.5f}));
        }
        Path file = dir.resolve(name);
        SafeTensorsWriter.write(file, content, metadata);
        return file;
    }

    @Test
    void detectAsksFamiliesInIdOrderAndTheFirstThatAcceptsAnswers() throws IOException {
        Path both = checkpoint("both.safetensors", Map.of("variant", "v2"), "alpha.weight", "alpha.bias", "beta.weight", "beta.bias");
        try (CheckpointFiles files = CheckpointFiles.open(both)) {
            CheckpointRecognizer.Detection detection = recognizer.detect(both, files.tensors(), files.metadata());
            assertTrue(detection.recognized());
            assertEquals("alpha", detection.recognition().family());
            assertEquals("ALPHA v2", detection.recognition().variant(), "the metadata reaches the family");
            assertEquals("", detection.note());
        }
    }

    @Test
    void detectListsWhyEachFamilyDeclined() {
        CheckpointRecognizer.Detection detection = recognizer.detect(dir, Map.of(), Map.of());
        assertFalse(detection.recognized());
        assertNull(detection.recognition());
        assertEquals(List.of("alpha: no alpha.weight", "beta: no beta.weight"), detection.reasons());
        assertEquals("not a checkpoint of an installed family (alpha: no alpha.weight; beta: no beta.weight)", detection.note());
        assertEquals("no model family plugin is installed",
                new CheckpointRecognizer(List.of()).detect(dir, Map.of(), Map.of()).note());
    }

    @Test
    void requireDetectsTheFamilyWhenTheConfigNamesNone() throws IOException {
        Path file = checkpoint("beta.safetensors", Map.of(), "beta.weight", "beta.bias");
        assertEquals("beta", recognizer.require(file, null).family());
        assertEquals("beta", recognizer.require(file, "beta").family());
    }

    @Test
    void anIncompleteCheckpointGivesTheFamilysMessageNamingTheFile() throws IOException {
        Path file = checkpoint("cut.safetensors", Map.of(), "alpha.weight");
        for (String family : new String[] {null, "alpha"}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> recognizer.require(file, family));
            assertEquals(file + ": The checkpoint is not a complete alpha checkpoint: alpha.bias is missing.", e.getMessage());
        }
    }

    @Test
    void aCheckpointNoFamilyAcceptsListsTheReasons() throws IOException {
        Path file = checkpoint("gamma.safetensors", Map.of(), "gamma.weight");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> recognizer.require(file, null));
        assertTrue(e.getMessage().startsWith("The checkpoint " + file + " cannot be used: not a checkpoint of an installed "
                + "family (alpha: no alpha.weight; beta: no beta.weight). "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one paragraph");
    }

    @Test
    void aCheckpointOfAnotherFamilyThanTheNamedOneSaysWhy() throws IOException {
        Path file = checkpoint("beta.safetensors", Map.of(), "beta.weight", "beta.bias");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> recognizer.require(file, "alpha"));
        assertTrue(e.getMessage().startsWith("The checkpoint " + file + " is not a checkpoint of the model family \"alpha\" "
                + "that the pipeline names: no alpha.weight. "), e.getMessage());
    }

    @Test
    void aFamilyThatIsNotInstalledIsNamed() throws IOException {
        Path file = checkpoint("beta.safetensors", Map.of(), "beta.weight", "beta.bias");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> recognizer.require(file, "delta"));
        assertTrue(e.getMessage().contains("\"delta\", which is not installed (installed: alpha, beta)"), e.getMessage());
    }

    @Test
    void aFileThatIsNoSafetensorsFileIsNamed() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.safetensors"), "not really a checkpoint");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> recognizer.require(file, null));
        assertTrue(e.getMessage().contains("notes.safetensors"), e.getMessage());
        Path missing = dir.resolve("missing.safetensors");
        e = assertThrows(InvalidInputException.class, () -> recognizer.require(missing, null));
        assertTrue(e.getMessage().startsWith("The checkpoint " + missing + " does not exist."), e.getMessage());
    }
}
