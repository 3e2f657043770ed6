package dev.lathe.face.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.config.ConfigReader;
import dev.lathe.config.MapPluginCatalog;
import dev.lathe.face.Fixtures;
import dev.lathe.pipeline.PipelineRunner;
import dev.lathe.pipeline.ProgressFactory;
import dev.lathe.pipeline.RunSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluate stage in a pipeline, scoring the epoch folders an earlier stage wrote. */
class EvaluateStageTest {

    @TempDir
    Path dir;

    /** Stands in for the generate stage: epoch folders of fixture portraits. */
    static final class FakeGenerate implements StageType {
        @Override
        public String id() {
            return "generate";
        }

        @Override
        public String description() {
            return "writes fixture portraits as epoch folders";
        }

        @Override
        public Set<String> outputs() {
            return Set.of("epochs");
        }

        @Override
        public StageResult run(StageContext context) {
            Path epochs = context.stageDir().resolve("epochs");
            Fixtures.copy(epochs.resolve("epoch-1"), "variants/s2f0_original.png", "variants/s3f1_original.png");
            Fixtures.copy(epochs.resolve("epoch-2"), "variants/s1f0_flip.png", "variants/s3f1_jpeg60.jpg");
            Fixtures.copy(epochs.resolve("epoch-10"), "variants/s1f0_brightness15.png", "variants/s1f0_shift5.png");
            return new StageResult(Map.of("epochs", epochs), "3 epochs");
        }
    }

    private MapPluginCatalog catalog() {
        FaceService faces = new FaceService(dir.resolve("cache"));
        return MapPluginCatalog.of(new FakeGenerate(), new EvaluateStage(), new FaceEvaluator(faces));
    }

    @Test
    void scoresEveryEpochOfTheGenerateStageAndNamesTheBest() throws Exception {
        Fixtures.copy(dir.resolve("photos"), "variants/s1f0_original.png", "variants/s1f0_downscale50.png");
        Path config = Files.writeString(dir.resolve("likeness.json"), """
                {
                  "name": "likeness",
                  "stages": [
                    {"name": "samples", "type": "generate"},
                    {"name": "likeness", "type": "evaluate", "references": "photos", "generated": "samples.epochs",
                     "evaluator": {"id": "face", "thresholds": [0.6, 0.7], "bestShare": 0.75}}
                  ]
                }
                """);
        MapPluginCatalog catalog = catalog();

        RunSummary run = new PipelineRunner(catalog, ProgressFactory.silent()).run(new ConfigReader(catalog).read(config));

        Path stageDir = dir.resolve("runs/likeness/likeness");
        Map<String, Path> outputs = run.stage("likeness").orElseThrow().outputs();
        assertEquals(stageDir.resolve("evaluation.json"), outputs.get("report"));
        Path epochs = dir.resolve("runs/likeness/samples/epochs");
        // epoch-2 has one of the subject's faces and s3f1: 50%; epoch-10 is the first with 75%
        assertEquals(epochs.resolve("epoch-10"), outputs.get("best"));
        JsonNode report = new ObjectMapper().readTree(outputs.get("report").toFile());
        assertEquals("face", report.get("evaluator").asText());
        assertEquals(0.75, report.get("options").get("bestShare").asDouble());
        assertEquals("euclidean", report.get("options").get("metric").asText());
        assertEquals(3, report.get("candidates").size());
        assertEquals("epoch-1", report.get("candidates").get(0).get("label").asText());
        assertEquals("epoch-2", report.get("candidates").get(1).get("label").asText());
        assertEquals("epoch-10", report.get("candidates").get(2).get("label").asText());
        JsonNode epoch2 = report.get("candidates").get(1);
        assertEquals(2, epoch2.get("images").asInt());
        assertEquals(0, epoch2.get("noFace").asInt());
        assertEquals(0.5, epoch2.get("shareBelow").get("0.6").asDouble());
        assertEquals(0.0, report.get("candidates").get(0).get("shareBelow").get("0.6").asDouble());
        assertEquals("epoch-10", report.get("best").asText());
        assertTrue(Files.isRegularFile(Path.of(epoch2.get("histogram").asText())));
        assertTrue(Files.isRegularFile(stageDir.resolve("distances-epoch-10.csv")));
        assertEquals("best: epoch-10 (100% of 2 images below 0.6)", run.stage("likeness").orElseThrow().summary());
    }

    @Test
    void aStageWithoutCandidatesSaysWhatToGive() throws Exception {
        Fixtures.copy(dir.resolve("photos"), "variants/s1f0_original.png");
        Path config = Files.writeString(dir.resolve("nothing.json"), """
                {"name": "nothing", "stages": [{"name": "likeness", "type": "evaluate", "references": "photos"}]}
                """);
        MapPluginCatalog catalog = catalog();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new PipelineRunner(catalog, ProgressFactory.silent()).run(new ConfigReader(catalog).read(config)));
        assertTrue(e.getMessage().contains("has nothing to evaluate"), e.getMessage());
    }
}
