package dev.lathe.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code bin/lathe merge} end to end: the fixture LoRAs merged into the shared tiny SD 1.5 and
 * SDXL checkpoints give checkpoints {@code lathe inspect} recognizes as the same family, with the
 * merge recorded in their metadata; a LoRA for the other architecture is one paragraph, exit 2.
 */
public class MergeCommandIT {

    @ClassRule
    public static final TemporaryFolder TEMP = new TemporaryFolder();

    private static Path lathe;
    private static Path lora;

    @BeforeClass
    public static void locate() throws URISyntaxException {
        lathe = LatheContainer.distribution().resolve("bin/lathe");
        assertTrue("not built: " + lathe, Files.isExecutable(lathe));
        lora = Paths.get(MergeCommandIT.class.getResource("/sd15/lora.safetensors").toURI());
    }

    record Run(int code, String out, String err) {
    }

    private static Run lathe(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(lathe.toString()));
        command.addAll(List.of(args));
        Path out = TEMP.newFile().toPath();
        Path err = TEMP.newFile().toPath();
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue("lathe did not finish within 180 s", process.waitFor(180, TimeUnit.SECONDS));
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Merges, then inspects the result: its family id and its merge record. */
    private static JsonNode mergeAndInspect(Path checkpoint, Path loraFile, String family) throws Exception {
        Path merged = TEMP.getRoot().toPath().resolve(family + "/merged.safetensors");
        Run run = lathe("merge", "--checkpoint", checkpoint.toString(), "--lora", loraFile + ":0.8", "--out", merged.toString());
        assertEquals(run.err, 0, run.code);
        assertEquals(merged.toString(), run.out.strip());
        Run inspect = lathe("inspect", merged.toString(), "--json");
        assertEquals(inspect.err, 0, inspect.code);
        JsonNode report = new ObjectMapper().readTree(inspect.out);
        assertEquals(family, report.get("family").get("id").asText());
        JsonNode record = new ObjectMapper().readTree(report.get("metadata").get("lathe_merged_loras").asText());
        assertEquals(loraFile.getFileName().toString(), record.get(0).get("file").asText());
        assertEquals(0.8, record.get(0).get("strength").asDouble(), 0);
        return report;
    }

    @Test
    public void mergedSd15CheckpointIsInspectedAsTheSameFamily() throws Exception {
        JsonNode report = mergeAndInspect(LatheBinaryIT.SharedFixtures.file("sd15/tiny.safetensors"), lora, "sd15");
        assertEquals(381, report.get("tensorCount").asInt());
        assertEquals("sd15-tiny-shared", report.get("metadata").get("fixture").asText());
    }

    @Test
    public void mergedSdxlCheckpointIsInspectedAsTheSameFamily() throws Exception {
        mergeAndInspect(LatheBinaryIT.SharedFixtures.file("sdxl/tiny.safetensors"),
                LatheBinaryIT.SharedFixtures.file("sdxl/lora_te.safetensors"), "sdxl");
    }

    @Test
    public void aLoraForTheOtherArchitectureIsOneParagraphAndExitTwo() throws Exception {
        Path target = TEMP.getRoot().toPath().resolve("foreign.safetensors");
        Run run = lathe("merge", "--checkpoint", LatheBinaryIT.SharedFixtures.file("sd15/tiny.safetensors").toString(),
                "--lora", LatheBinaryIT.SharedFixtures.file("sdxl/lora_unet.safetensors").toString(), "--out", target.toString());
        assertEquals(run.err, 2, run.code);
        assertFalse("stack trace printed: " + run.err, run.err.contains("\tat ") || run.err.contains("Exception"));
        int error = run.err.indexOf("lathe: error: ");
        assertTrue("no error message: " + run.err, error >= 0);
        String paragraph = run.err.substring(error).strip(); // the engine's log lines come before it
        assertFalse("one paragraph: " + paragraph, paragraph.contains("\n"));
        assertTrue(paragraph, paragraph.contains("lora_unet.safetensors is a LoRA for SDXL"));
        assertTrue(run.out.isEmpty());
        assertFalse(Files.exists(target));
    }
}
