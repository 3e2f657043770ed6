package dev.lathe.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Runs the built {@code target/lathe/bin/lathe} as a user would. */
public class LatheBinaryIT {

    @ClassRule
    public static final TemporaryFolder TEMP = new TemporaryFolder();

    private static Path lathe;

    @BeforeClass
    public static void locate() {
        lathe = LatheContainer.distribution().resolve("bin/lathe");
        assertTrue("not built: " + lathe, Files.isExecutable(lathe));
    }

    record Run(int code, String out, String err, long millis) {
        /** A user-facing error: the expected exit code, one paragraph, no stack trace. */
        void assertCleanError(int expectedCode, String... mustMention) {
            assertEquals("exit code; stderr: " + err, expectedCode, code);
            assertFalse("stack trace printed: " + err, err.contains("\tat ") || err.contains("Exception in thread"));
            for (String s : mustMention) {
                assertTrue("stderr should mention '" + s + "': " + err, err.contains(s));
            }
        }
    }

    static Run run(Path executable, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(args));
        // Plain temporary files: other test classes call this without this class's rule.
        Path out = Files.createTempFile("lathe-stdout", ".txt");
        Path err = Files.createTempFile("lathe-stderr", ".txt");
        try {
            long start = System.nanoTime();
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue("lathe did not finish within 180 s", process.waitFor(180, TimeUnit.SECONDS));
            long millis = (System.nanoTime() - start) / 1_000_000;
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err), millis);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Run lathe(String... args) throws Exception {
        return run(lathe != null ? lathe : LatheContainer.distribution().resolve("bin/lathe"), args);
    }

    @Test
    public void versionAndHelp() throws Exception {
        Run version = lathe("--version");
        assertEquals(version.err, 0, version.code);
        assertTrue(version.out, version.out.startsWith("lathe "));
        for (String command : List.of("run", "validate", "plugins", "inspect")) {
            Run help = lathe(command, "--help");
            assertEquals(help.err, 0, help.code);
            assertTrue(help.out, help.out.contains("Usage: lathe " + command));
        }
        lathe("nonsense").assertCleanError(2, "nonsense");
        lathe().assertCleanError(2, "Missing command");
    }

    @Test
    public void pluginsListsBuiltInsWithBundleAndVersion() throws Exception {
        Run plugins = lathe("plugins");
        assertEquals(plugins.err, 0, plugins.code);
        assertTrue(plugins.out, plugins.out.contains("regularization") && plugins.out.contains("none")
                && plugins.out.contains("dev.lathe.framework"));
        for (String optimizer : List.of("adamw", "adafactor")) {
            assertTrue(plugins.out, plugins.out.lines().anyMatch(l -> l.startsWith("optimizer") && l.contains(" " + optimizer + " ")));
        }
        System.out.println("lathe plugins took " + plugins.millis + " ms");
    }

    @Test
    public void droppedInBundleShowsUpInPlugins() throws Exception {
        Path home = TEMP.newFolder("third-party-install").toPath();
        Files.createDirectories(home.resolve("bin"));
        Files.copy(lathe, home.resolve("bin/lathe"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createSymbolicLink(home.resolve("lib"), LatheContainer.distribution().resolve("lib"));
        Path bundles = Files.createDirectories(home.resolve("bundles"));
        try (Stream<Path> jars = Files.list(LatheContainer.distribution().resolve("bundles"))) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, bundles.resolve(jar.getFileName()));
            }
        }
        Run before = run(home.resolve("bin/lathe"), "plugins");
        assertEquals(before.err, 0, before.code);
        assertFalse(before.out, before.out.contains("sgd"));

        Files.copy(LatheContainer.exampleBundle(), bundles.resolve("example-optimizer-sgd.jar"));
        Run after = run(home.resolve("bin/lathe"), "plugins", "--options");
        assertEquals(after.err, 0, after.code);
        assertTrue(after.out, after.out.contains("optimizer") && after.out.contains("sgd")
                && after.out.contains("org.example.lathe.sgd") && after.out.contains("momentum"));
    }

    @Test
    public void inspectsTheSharedTinyCheckpoint() throws Exception {
        Path tiny = SharedFixtures.file("sd15/tiny.safetensors");
        Run run = lathe("inspect", tiny.toString(), "--json");
        assertEquals(run.err, 0, run.code);
        JsonNode report = new ObjectMapper().readTree(run.out);
        assertEquals(381, report.get("tensorCount").asInt());
        assertEquals("sd15-tiny-shared", report.get("metadata").get("fixture").asText());
        assertTrue(report.get("metadata").get("unet_config").asText().contains("channel_mult"));
        assertEquals(Files.size(tiny), report.get("sizeBytes").asLong());

        Run text = lathe("inspect", tiny.toString());
        assertEquals(text.err, 0, text.code);
        assertTrue(text.out, text.out.contains("Tensors:     381"));
    }

    @Test
    public void inspectsTheSharedSdxlCheckpoint() throws Exception {
        Path sdxl = SharedFixtures.file("sdxl/tiny.safetensors");
        Run run = lathe("inspect", sdxl.toString(), "--json");
        assertEquals(run.err, 0, run.code);
        JsonNode family = new ObjectMapper().readTree(run.out).get("family");
        assertEquals("sdxl", family.get("id").asText());
        assertEquals("[0,1,2]", family.get("architecture").get("unet.transformer_depth").toString());
        assertEquals(48, family.get("architecture").get("te2.width").asInt());

        Run text = lathe("inspect", sdxl.toString());
        assertEquals(text.err, 0, text.code);
        assertTrue(text.out, text.out.contains("Family:      sdxl (SDXL base)"));
        assertTrue(text.out, text.out.contains("1600 (pooled 64 + 6 x 256 size embeddings)"));

        String removed = "conditioner.embedders.1.model.transformer.resblocks.2.attn.in_proj_weight";
        lathe("inspect", rewrite(sdxl, "sdxl-missing.safetensors", removed, null).toString())
                .assertCleanError(2, "sdxl-missing.safetensors", "in_proj_weight");
    }

    @Test
    public void unusableCheckpointsGiveExitTwoFromInspect() throws Exception {
        Path tiny = SharedFixtures.file("sd15/tiny.safetensors");
        String removed = "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight";
        Run missing = lathe("inspect", rewrite(tiny, "missing.safetensors", removed, null).toString());
        missing.assertCleanError(2, "missing.safetensors", "attn2.to_k");
        assertTrue("the report is still printed", missing.out.contains("Tensors:     380"));

        String reshaped = "model.diffusion_model.out.2.weight";
        lathe("inspect", rewrite(tiny, "misshapen.safetensors", null, reshaped).toString())
                .assertCleanError(2, "misshapen.safetensors", "out.2");

        Path lora = SharedFixtures.file("sd15/lora.safetensors");
        Run loraRun = lathe("inspect", lora.toString());
        assertEquals("a LoRA is not a checkpoint and inspects fine: " + loraRun.err, 0, loraRun.code);
    }

    @Test
    public void unusableCheckpointsStopAPipelineBeforeAnythingIsWritten() throws Exception {
        Path tiny = SharedFixtures.file("sd15/tiny.safetensors");
        Run valid = lathe("validate", pipeline("good.json", tiny, null).toString());
        assertEquals("the intact checkpoint passes: " + valid.err, 0, valid.code);

        Path missing = rewrite(tiny, "pipeline-missing.safetensors",
                "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight", null);
        assertPipelineRefuses(pipeline("missing.json", missing, null), "pipeline-missing.safetensors", "attn2.to_k");

        Path misshapen = rewrite(tiny, "pipeline-misshapen.safetensors", null, "model.diffusion_model.out.2.weight");
        assertPipelineRefuses(pipeline("misshapen.json", misshapen, null), "pipeline-misshapen.safetensors", "out.2");

        // Named as sd15, so this holds whether or not an sdxl family is installed.
        Path sdxl = SharedFixtures.file("sdxl/tiny.safetensors");
        assertPipelineRefuses(pipeline("sdxl.json", sdxl, "sd15"), "sdxl/tiny.safetensors", "\"sd15\"", "use family sdxl");
    }

    @Test
    public void makeTinyModelWritesAnSd15CheckpointWithItsTokenizer() throws Exception {
        Path out = TEMP.newFolder("tiny-model").toPath();
        Run made = lathe("make-tiny-model", "--out", out.toString(), "--seed", "5");
        assertEquals(made.err, 0, made.code);
        Path checkpoint = out.resolve("tiny-sd15.safetensors");
        assertTrue(made.out, made.out.contains(checkpoint.toString()));
        for (String file : List.of("tokenizer/vocab.json", "tokenizer/merges.txt")) {
            assertTrue(file, Files.isRegularFile(out.resolve(file)));
        }

        Run inspect = lathe("inspect", checkpoint.toString(), "--json");
        assertEquals(inspect.err, 0, inspect.code);
        JsonNode report = new ObjectMapper().readTree(inspect.out);
        assertEquals("sd15", report.get("family").get("id").asText());
        assertEquals("SD 1.x", report.get("family").get("variant").asText());
        assertEquals("5", report.get("metadata").get("seed").asText());
        Run valid = lathe("validate", pipeline("tiny.json", checkpoint, "sd15").toString());
        assertEquals("a pipeline accepts it: " + valid.err, 0, valid.code);

        Path again = TEMP.newFolder("tiny-model-again").toPath();
        assertEquals(0, lathe("make-tiny-model", "--out", again.toString(), "--seed", "5").code);
        assertTrue("the same seed gives the same file",
                java.util.Arrays.equals(Files.readAllBytes(checkpoint), Files.readAllBytes(again.resolve("tiny-sd15.safetensors"))));

        Run help = lathe("make-tiny-model", "--help");
        assertEquals(help.err, 0, help.code);
        assertTrue(help.out, help.out.contains("--seed") && help.out.contains("--out"));
        lathe("make-tiny-model").assertCleanError(2, "--out");
        Run plugins = lathe("plugins");
        assertTrue(plugins.out, plugins.out.lines().anyMatch(l -> l.startsWith("command") && l.contains("make-tiny-model")));
    }

    @Test
    public void theQuickstartDatasetShipsWithTheInstallation() throws IOException {
        Path images = LatheContainer.distribution().resolve("examples/quickstart/dataset/10_lathecat");
        try (Stream<Path> files = Files.list(images)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(names.toString(), 8, names.stream().filter(n -> n.endsWith(".png")).count());
            for (String png : names.stream().filter(n -> n.endsWith(".png")).toList()) {
                assertTrue("a caption for " + png, names.contains(png.replace(".png", ".txt")));
            }
        }
        assertTrue(Files.isRegularFile(images.resolveSibling("README.md")));
    }

    /** A pipeline on {@code checkpoint} whose one stage would fail if it ran (its references do not exist). */
    private static Path pipeline(String name, Path checkpoint, String family) throws IOException {
        String json = """
                {
                  "checkpoint": "%s",%s
                  "stages": [{"name": "likeness", "type": "evaluate", "references": "no-such-folder"}]
                }
                """.formatted(checkpoint, family == null ? "" : "\n  \"family\": \"" + family + "\",");
        return write(name, json.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code lathe validate} and {@code lathe run} both exit 2 naming the problem, and the run writes nothing. */
    private static void assertPipelineRefuses(Path config, String... mustMention) throws Exception {
        lathe("validate", config.toString()).assertCleanError(2, mustMention);
        Path out = TEMP.getRoot().toPath().resolve("run-" + config.getFileName());
        Run run = lathe("run", config.toString(), "--out", out.toString());
        run.assertCleanError(2, mustMention);
        assertFalse("a refused run writes nothing: " + out, Files.exists(out));
        assertFalse(run.err, run.err.contains("likeness"));
    }

    /** The checkpoint with one tensor dropped or one tensor's first two dimensions swapped. */
    private static Path rewrite(Path source, String name, String drop, String transpose) throws IOException {
        byte[] bytes = Files.readAllBytes(source);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode header =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
        if (drop != null) {
            assertTrue(drop, header.has(drop));
            header.remove(drop); // its bytes stay as a hole, so re-lay the data contiguously below
        }
        if (transpose != null) {
            com.fasterxml.jackson.databind.node.ArrayNode shape = (com.fasterxml.jackson.databind.node.ArrayNode) header.get(transpose).get("shape");
            JsonNode first = shape.get(0);
            shape.set(0, shape.get(1));
            shape.set(1, first);
        }
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        java.util.List<String> names = new ArrayList<>();
        header.fieldNames().forEachRemaining(names::add);
        java.util.Collections.sort(names);
        for (String tensor : names) {
            if (tensor.equals("__metadata__")) {
                continue;
            }
            com.fasterxml.jackson.databind.node.ArrayNode offsets = (com.fasterxml.jackson.databind.node.ArrayNode) header.get(tensor).get("data_offsets");
            long begin = offsets.get(0).asLong();
            long end = offsets.get(1).asLong();
            long at = data.size();
            data.write(bytes, (int) (8 + headerLength + begin), (int) (end - begin));
            offsets.removeAll().add(at).add(at + end - begin);
        }
        byte[] headerBytes = json.writeValueAsBytes(header);
        ByteBuffer out = ByteBuffer.allocate(8 + headerBytes.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(headerBytes.length).put(headerBytes).put(data.toByteArray());
        return write(name, out.array());
    }

    @Test
    public void brokenFilesGiveExitTwoAndOneParagraph() throws Exception {
        byte[] valid = safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        Path truncated = write("truncated.safetensors", java.util.Arrays.copyOf(valid, valid.length - 3));
        lathe("inspect", truncated.toString()).assertCleanError(2, "truncated.safetensors");

        ByteBuffer beyond = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000).putLong(0);
        lathe("inspect", write("header-beyond.safetensors", beyond.array()).toString())
                .assertCleanError(2, "header-beyond.safetensors");

        lathe("inspect", write("malformed.safetensors", safetensors("{\"w\": {\"dtype\": ", 0)).toString())
                .assertCleanError(2, "malformed.safetensors");

        byte[] offsets = safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
        lathe("inspect", write("offsets.safetensors", offsets).toString()).assertCleanError(2, "offsets.safetensors");

        byte[] dtype = safetensors("{\"w\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        lathe("inspect", write("dtype.safetensors", dtype).toString()).assertCleanError(2, "F33");

        lathe("inspect", write("empty.safetensors", new byte[0]).toString()).assertCleanError(2, "empty.safetensors");

        byte[] pickle = {(byte) 0x80, 0x02, '}', 'q', 0x00, '.'};
        lathe("inspect", write("model.ckpt", pickle).toString()).assertCleanError(2, "pickle");

        lathe("inspect", TEMP.getRoot().toPath().resolve("missing.safetensors").toString())
                .assertCleanError(2, "missing.safetensors");
    }

    @Test
    public void validateNamesAnUnknownField() throws Exception {
        Path config = write("pipeline.json", """
                {
                  "name": "demo",
                  "seeed": 3,
                  "stages": []
                }
                """.getBytes(StandardCharsets.UTF_8));
        Run run = lathe("validate", config.toString());
        run.assertCleanError(2, "seeed", "line 3", "seed");
    }

    private static byte[] safetensors(String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        return b.array();
    }

    private static Path write(String name, byte[] content) throws IOException {
        Path file = TEMP.getRoot().toPath().resolve(name);
        Files.write(file, content);
        return file;
    }

    /** Files under {@code ../shared/fixtures}: required in CI, skipped elsewhere when absent. */
    static final class SharedFixtures {
        static Path file(String relative) {
            Path shared = Paths.get(System.getProperty("lathe.shared.dir", "../../shared"));
            Path file = shared.resolve("fixtures").resolve(relative);
            if (!Files.exists(file)) {
                if ("true".equals(System.getenv("CI"))) {
                    throw new AssertionError("CI=true but the shared fixture " + file + " is missing");
                }
                assumeTrue("shared fixture " + file + " not present", false);
            }
            return file;
        }
    }
}
