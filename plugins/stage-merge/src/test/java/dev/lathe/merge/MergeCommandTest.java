package dev.lathe.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.InvalidInputException;
import dev.lathe.lora.CheckpointMerger;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.sd15.Sd15Family;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lathe merge} argument handling; the merge itself is {@link CheckpointMergerTest}'s. */
class MergeCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int merge(String... args) throws Exception {
        return new MergeCommand(List.of(new Sd15Family())).run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void mergesEveryLoraAtItsStrengthAndPrintsTheFileWritten() throws Exception {
        Path target = dir.resolve("sub/merged.safetensors");
        assertEquals(0, merge("--checkpoint", Fixtures.tiny().toString(), "--lora", Fixtures.lora() + ":0.8",
                "--lora", Fixtures.lora().toString(), "--out", target.toString()));
        assertEquals(target.toString(), out.toString(StandardCharsets.UTF_8).strip());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("Merged 2 LoRA(s), 80 modules, into 40 weights."), err.toString());
        var record = new ObjectMapper().readTree(SafeTensorsFile.readMetadata(target).get(CheckpointMerger.PROVENANCE_KEY));
        assertEquals(0.8, record.get(0).get("strength").asDouble());
        assertEquals(1.0, record.get(1).get("strength").asDouble());
    }

    @Test
    void badArgumentsAreOneParagraphEach() throws Exception {
        String tiny = Fixtures.tiny().toString();
        String target = dir.resolve("m.safetensors").toString();
        InvalidInputException strength = assertThrows(InvalidInputException.class,
                () -> merge("--checkpoint", tiny, "--lora", Fixtures.lora() + ":strong", "--out", target));
        assertTrue(strength.getMessage().contains("the strength \"strong\" is not a number"), strength.getMessage());
        InvalidInputException missing = assertThrows(InvalidInputException.class,
                () -> merge("--checkpoint", tiny, "--lora", dir.resolve("none.safetensors") + ":0.5", "--out", target));
        assertTrue(missing.getMessage().contains("none.safetensors does not exist"), missing.getMessage());
        InvalidInputException noLora = assertThrows(InvalidInputException.class,
                () -> merge("--checkpoint", tiny, "--out", target));
        assertTrue(noLora.getMessage().contains("--lora"), noLora.getMessage());
        InvalidInputException noBase = assertThrows(InvalidInputException.class,
                () -> merge("--checkpoint", dir.resolve("absent.safetensors").toString(), "--lora", Fixtures.lora().toString(),
                        "--out", target));
        assertTrue(noBase.getMessage().contains("absent.safetensors does not exist"), noBase.getMessage());
        assertTrue(!Files.exists(Path.of(target)));
    }

    @Test
    void helpNamesEveryOption() throws Exception {
        assertEquals(0, merge("--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        for (String option : List.of("--checkpoint", "--lora", "--out", "--family")) {
            assertTrue(help.contains(option), help);
        }
    }
}
