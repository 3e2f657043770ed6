package dev.lathe.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Every pipeline in {@code examples/} passes {@code lathe validate} with the installed plugins, so
 * the workflow configs stay in step with the stages' real options. The checkpoints they name are
 * stood in for by the tiny SD 1.5 and SDXL fixtures (validation reads the header and asks the family).
 */
public class ExamplePipelinesIT {

    @ClassRule
    public static final TemporaryFolder TEMP = new TemporaryFolder();

    /** A checkpoint path in an example, {@code ../../models/<file>.safetensors}. */
    private static final Pattern MODEL = Pattern.compile("\"\\.\\./\\.\\./models/([^\"/]+\\.safetensors)\"");

    @Test
    public void everyExamplePipelineValidates() throws Exception {
        Path sd15 = LatheBinaryIT.SharedFixtures.file("sd15/tiny.safetensors");
        Path sdxl = LatheBinaryIT.SharedFixtures.file("sdxl/tiny.safetensors");
        Path root = TEMP.newFolder("checkout").toPath();
        copyTree(Paths.get("../examples"), root.resolve("examples"));
        List<Path> pipelines;
        try (Stream<Path> files = Files.walk(root.resolve("examples"))) {
            pipelines = files.filter(p -> p.toString().endsWith(".json") && !p.toString().contains("/target/")).sorted()
                    .toList();
        }
        assertFalse("no example pipelines found", pipelines.isEmpty());
        // Every checkpoint the examples name (../../models/*.safetensors) is stood in for by a tiny
        // fixture of its family: SDXL for a file name with "xl" in it (sd_xl_base_1.0,
        // juggernautXL_..., ...XL_lightning...), SD 1.5 otherwise.
        Set<String> models = new TreeSet<>();
        for (Path pipeline : pipelines) {
            Matcher m = MODEL.matcher(Files.readString(pipeline));
            while (m.find()) {
                models.add(m.group(1));
            }
        }
        assertTrue("an SD 1.5 example: " + models, models.contains("v1-5-pruned-emaonly.safetensors"));
        assertTrue("an SDXL example: " + models, models.contains("sd_xl_base_1.0.safetensors"));
        Files.createDirectories(root.resolve("models"));
        for (String model : models) {
            Path standIn = model.toLowerCase(Locale.ROOT).contains("xl") ? sdxl : sd15;
            Files.copy(standIn, root.resolve("models").resolve(model), StandardCopyOption.REPLACE_EXISTING);
        }
        Path quickstart = root.resolve("examples/quickstart/model/tiny-sd15.safetensors");
        Files.createDirectories(quickstart.getParent());
        Files.copy(sd15, quickstart, StandardCopyOption.REPLACE_EXISTING);
        // The user's own folders the workflow examples name (they need only exist to validate).
        for (String folder : List.of("character", "base3d", "target", "subject", "subject-references", "style")) {
            Files.createDirectories(root.resolve("data").resolve(folder));
        }
        for (Path pipeline : pipelines) {
            LatheBinaryIT.Run run = LatheBinaryIT.lathe("validate", pipeline.toString());
            assertEquals(pipeline + ": " + run.err() + run.out(), 0, run.code());
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                if (source.toString().contains("/target/") || source.toString().contains("/model/")) {
                    continue;
                }
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
