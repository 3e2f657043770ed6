package dev.lathe.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResolvedConfigTest {

    @TempDir
    Path dir;

    private final ConfigReader reader = new ConfigReader(Fakes.catalog());

    @BeforeEach
    void files() {
        TestConfigs.prepare(dir);
    }

    /** Everything but the source, which is the file read. */
    private static void assertSameConfig(PipelineConfig expected, PipelineConfig actual) {
        assertEquals(expected, new PipelineConfig(expected.source(), actual.name(), actual.description(), actual.checkpoint(),
                actual.family(), actual.device(), actual.seed(), actual.output(), actual.stages()));
    }

    @Test
    void theResolvedConfigReadsBackToTheSameConfig() throws Exception {
        PipelineConfig config = reader.read(TestConfigs.write(dir, TestConfigs.STEPPING_STONE));
        Path resolved = dir.resolve("out/pipeline.resolved.json");
        Files.createDirectories(resolved.getParent());

        ResolvedConfig.write(config, resolved);

        assertSameConfig(config, reader.read(resolved));
    }

    @Test
    void resolvedFormIsExplicit() throws Exception {
        Path source = TestConfigs.write(dir, TestConfigs.STEPPING_STONE);
        PipelineConfig config = reader.read(source);
        Path resolved = dir.resolve("resolved.json");

        ResolvedConfig.write(config, resolved);

        JsonNode json = new ObjectMapper().readTree(resolved.toFile());
        JsonNode provenance = json.get("provenance");
        assertEquals("dev", provenance.get("latheVersion").asText(), "outside OSGi there is no bundle version");
        Instant.parse(provenance.get("resolvedAt").asText());
        assertEquals(source.toString(), provenance.get("source").asText());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(source))),
                provenance.get("sourceSha256").asText());

        assertEquals(List.of("provenance", "name", "checkpoint", "family", "device", "seed", "output", "stages"), fieldNames(json));
        assertEquals(dir.resolve("models/base.safetensors").toString(), json.get("checkpoint").asText());
        assertEquals(dir.resolve("runs/stepping-stone").toString(), json.get("output").asText());
        assertEquals("cpu", json.get("device").asText());

        JsonNode base = json.get("stages").get(0);
        assertEquals(dir.resolve("data/base3d").toString(), base.get("dataset").asText());
        assertEquals(1e-4, base.get("learningRate").asDouble());
        assertEquals(new ObjectMapper().readTree("{\"id\": \"adamw\", \"betas\": [0.9, 0.999], \"weightDecay\": 0.01}"),
                base.get("optimizer"));
        JsonNode target = json.get("stages").get(1);
        assertEquals(new ObjectMapper().readTree("[{\"lora\": \"base3d.best\", \"weight\": 1.0}]"), target.get("merge"));
        assertEquals("target.last", json.get("stages").get(2).get("lora").asText());
    }

    @Test
    void fileArtifactsAndAbsentFieldsSurviveTheRoundTrip() throws Exception {
        Files.writeString(dir.resolve("old.safetensors"), "lora");
        PipelineConfig config = reader.read(TestConfigs.write(dir, """
                {"description": "no checkpoint, no family", "stages": [
                  {"name": "check", "type": "evaluate", "lora": "old.safetensors", "references": ["a.png", "b.png"]}
                ]}
                """));
        Path resolved = dir.resolve("again.json");

        ResolvedConfig.write(config, resolved);

        assertSameConfig(config, reader.read(resolved));
        JsonNode json = new ObjectMapper().readTree(resolved.toFile());
        assertFalse(json.has("checkpoint"));
        assertFalse(json.has("family"));
        assertEquals("no checkpoint, no family", json.get("description").asText());
    }

    @Test
    void writingReplacesAtomicallyAndLeavesNoTemporaryFile() throws Exception {
        PipelineConfig config = reader.read(TestConfigs.write(dir, TestConfigs.STEPPING_STONE));
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("pipeline.resolved.json"), "old");

        ResolvedConfig.write(config, out.resolve("pipeline.resolved.json"));

        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of(out.resolve("pipeline.resolved.json")), files.toList());
        }
        assertSameConfig(config, reader.read(out.resolve("pipeline.resolved.json")));
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
