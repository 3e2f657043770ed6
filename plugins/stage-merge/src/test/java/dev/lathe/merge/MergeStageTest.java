package dev.lathe.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.config.ConfigReader;
import dev.lathe.config.MapPluginCatalog;
import dev.lathe.lora.CheckpointMerger;
import dev.lathe.pipeline.PipelineRunner;
import dev.lathe.pipeline.ProgressFactory;
import dev.lathe.pipeline.RunSummary;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.sd15.Sd15Family;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The merge stage in a pipeline: a LoRA an earlier stage made, merged; the result used by a later stage. */
class MergeStageTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Stands in for the train stage: the fixture LoRA as "last". */
    static final class FakeTrain implements StageType {
        @Override
        public String id() {
            return "fake-train";
        }

        @Override
        public String description() {
            return "copies the fixture LoRA";
        }

        @Override
        public Set<String> outputs() {
            return Set.of("last");
        }

        @Override
        public StageResult run(StageContext context) throws IOException {
            return new StageResult(Map.of("last", Files.copy(Fixtures.lora(), context.stageDir().resolve("last.safetensors"))),
                    "1 LoRA");
        }
    }

    /** A later stage taking a checkpoint artifact: records what it was given. */
    static final class UseCheckpoint implements StageType {
        final List<Path> given = new ArrayList<>();

        @Override
        public String id() {
            return "use-checkpoint";
        }

        @Override
        public String description() {
            return "records its checkpoint";
        }

        @Override
        public List<OptionSpec> options() {
            return List.of(OptionSpec.artifact("checkpoint", "A checkpoint").mandatory());
        }

        @Override
        public Set<String> outputs() {
            return Set.of();
        }

        @Override
        public StageResult run(StageContext context) {
            given.add(context.resolve(context.options().getArtifact("checkpoint")));
            return new StageResult(Map.of(), "");
        }
    }

    private final UseCheckpoint use = new UseCheckpoint();

    private RunSummary run(String json) throws IOException {
        Path config = Files.writeString(dir.resolve("pipeline.json"), json.replace("TINY", Fixtures.tiny().toString())
                .replace("SDXL_LORA", Fixtures.sdxlLora().toString()));
        Sd15Family sd15 = new Sd15Family();
        MapPluginCatalog catalog = MapPluginCatalog.of(new FakeTrain(), new MergeStage(List.of(sd15)), use, sd15);
        return new PipelineRunner(catalog, ProgressFactory.silent()).run(new ConfigReader(catalog).read(config));
    }

    @Test
    void mergesAnEarlierStagesLoraAndALaterStageUsesTheMergedCheckpoint() throws Exception {
        RunSummary run = run("""
                {
                  "name": "stepping", "checkpoint": "TINY",
                  "stages": [
                    {"name": "base3d", "type": "fake-train"},
                    {"name": "merge", "type": "merge", "loras": [{"lora": "base3d.last", "strength": 0.5}],
                     "outputName": "tiny-base3d"},
                    {"name": "use", "type": "use-checkpoint", "checkpoint": "merge.checkpoint"}
                  ]
                }
                """);
        Path merged = dir.resolve("runs/stepping/merge/tiny-base3d.safetensors");
        assertEquals(merged, run.stage("merge").orElseThrow().outputs().get("checkpoint"));
        assertEquals(List.of(merged), use.given);
        assertEquals("1 LoRA(s), 40 modules merged into 40 weights of tiny-base3d.safetensors",
                run.stage("merge").orElseThrow().summary());
        JsonNode record = JSON.readTree(SafeTensorsFile.readMetadata(merged).get(CheckpointMerger.PROVENANCE_KEY));
        assertEquals("last.safetensors", record.get(0).get("file").asText());
        assertEquals(0.5, record.get(0).get("strength").asDouble());
    }

    @Test
    void theFileIsNamedAfterTheStageAndAForeignLoraStopsTheRunWithItsName() throws Exception {
        RunSummary run = run("""
                {"name": "plain", "checkpoint": "TINY", "stages": [
                  {"name": "train", "type": "fake-train"},
                  {"name": "baked", "type": "merge", "loras": [{"lora": "train.last"}]}]}
                """);
        assertEquals(dir.resolve("runs/plain/baked/baked.safetensors"), run.stage("baked").orElseThrow().outputs().get("checkpoint"));

        InvalidInputException sdxl = assertThrows(InvalidInputException.class, () -> run("""
                {"name": "foreign", "checkpoint": "TINY", "stages": [
                  {"name": "baked", "type": "merge", "loras": [{"lora": "SDXL_LORA"}]}]}
                """));
        assertTrue(sdxl.getMessage().contains("is a LoRA for SDXL"), sdxl.getMessage());
        assertTrue(!Files.exists(dir.resolve("runs/foreign/baked/baked.safetensors")));

        InvalidInputException none = assertThrows(InvalidInputException.class, () -> run("""
                {"name": "none", "checkpoint": "TINY", "stages": [{"name": "baked", "type": "merge"}]}
                """));
        assertTrue(none.getMessage().contains("loras"), none.getMessage());
    }
}
