package dev.lathe.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Every pipeline in {@code examples/} passes {@code lathe validate} with the installed plugins, so
 * the workflow configs stay in step with the stages' real options. The checkpoints they name are
 * stood in for by the tiny SD 1.5 fixture (validation reads its header and asks the family).
 */
public class ExamplePipelinesIT {

    @ClassRule
    public static final TemporaryFolder TEMP = new TemporaryFolder();

    @Test
    public void everyExamplePipelineValidates() throws Exception {
        Path tiny = LatheBinaryIT.SharedFixtures.file("sd15/tiny.safetensors");
        Path root = TEMP.newFolder("checkout").toPath();
        copyTree(Paths.get("../examples"), root.resolve("examples"));
        for (Path model : List.of(root.resolve("models/v1-5-pruned-emaonly.safetensors"),
                root.resolve("examples/quickstart/model/tiny-sd15.safetensors"))) {
            Files.createDirectories(model.getParent());
            Files.copy(tiny, model, StandardCopyOption.REPLACE_EXISTING);
        }
        // The user's own folders the workflow examples name (they need only exist to validate).
        for (String folder : List.of("character", "base3d", "target", "subject", "subject-references")) {
            Files.createDirectories(root.resolve("data").resolve(folder));
        }
        List<Path> pipelines;
        try (Stream<Path> files = Files.walk(root.resolve("examples"))) {
            pipelines = files.filter(p -> p.toString().endsWith(".json") && !p.toString().contains("/target/")).sorted()
                    .toList();
        }
        assertFalse("no example pipelines found", pipelines.isEmpty());
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
