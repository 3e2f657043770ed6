package dev.lathe.sd15;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.checkpoint.CheckpointRecognizer;
import dev.lathe.config.MapPluginCatalog;
import dev.lathe.config.PipelineConfig;
import dev.lathe.config.StageConfig;
import dev.lathe.pipeline.PipelineRunner;
import dev.lathe.pipeline.ProgressFactory;
import dev.lathe.safetensors.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline whose checkpoint the sd15 family refuses (a tensor removed, a tensor misshapen, an
 * SDXL file) stops before its first stage with the family's paragraph, and writes nothing.
 */
class Sd15PipelineCheckTest {

    @TempDir
    Path temp;

    private final AtomicInteger stagesRun = new AtomicInteger();

    /** A stage that only counts that it ran. */
    private final StageType counting = new StageType() {
        @Override
        public String id() {
            return "count";
        }

        @Override
        public String description() {
            return "counts runs";
        }

        @Override
        public List<OptionSpec> options() {
            return List.of();
        }

        @Override
        public Set<String> outputs() {
            return Set.of();
        }

        @Override
        public StageResult run(StageContext context) {
            stagesRun.incrementAndGet();
            return new StageResult(Map.of(), "");
        }
    };

    private final MapPluginCatalog catalog = MapPluginCatalog.of(new Sd15Family(), counting);

    private Path tinyWith(String name, UnaryOperator<Map<String, Tensor>> change) {
        Map<String, Tensor> tensors = new LinkedHashMap<>(Fixtures.tensors(Fixtures.tiny()));
        Path file = temp.resolve(name);
        Rewrite.write(file, change.apply(tensors), Fixtures.metadata(Fixtures.tiny()));
        return file;
    }

    private InvalidInputException refusedRun(Path checkpoint, String family) {
        Path output = temp.resolve("run-" + checkpoint.getFileName());
        PipelineConfig config = new PipelineConfig(temp.resolve("p.json"), "p", null, checkpoint, family, "cpu", 42,
                output, List.of(new StageConfig("only", "count", Options.empty())));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new PipelineRunner(catalog, ProgressFactory.silent()).run(config));
        assertEquals(0, stagesRun.get(), "no stage may run");
        assertFalse(Files.exists(output), "nothing may be written");
        assertFalse(e.getMessage().contains("\n"), "one paragraph: " + e.getMessage());
        return e;
    }

    @Test
    void theTinyCheckpointPassesAndTheStageRuns() {
        assertEquals("sd15", CheckpointRecognizer.installed(catalog).require(Fixtures.tiny(), null).family());
        PipelineConfig config = new PipelineConfig(temp.resolve("p.json"), "p", null, Fixtures.tiny(), "sd15", "cpu", 42,
                temp.resolve("out"), List.of(new StageConfig("only", "count", Options.empty())));
        new PipelineRunner(catalog, ProgressFactory.silent()).run(config);
        assertEquals(1, stagesRun.get());
    }

    @Test
    void aRemovedTensorIsNamed() {
        String removed = "model.diffusion_model.output_blocks.2.1.transformer_blocks.0.attn1.to_v.weight";
        Path file = tinyWith("missing.safetensors", t -> {
            t.remove(removed);
            return t;
        });
        for (String family : new String[] {null, "sd15"}) {
            String m = refusedRun(file, family).getMessage();
            assertTrue(m.startsWith(file + ": The checkpoint is not a complete SD 1.x checkpoint"), m);
            assertTrue(m.contains("missing " + removed), m);
        }
    }

    @Test
    void aRemovedTensorTheArchitectureIsReadFromIsNamed() {
        // Without it the family cannot tell the context width, so it declines the file, naming the tensor.
        String removed = "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight";
        Path file = tinyWith("no-context.safetensors", t -> {
            t.remove(removed);
            return t;
        });
        String detected = refusedRun(file, null).getMessage();
        assertTrue(detected.startsWith("The checkpoint " + file + " cannot be used"), detected);
        assertTrue(detected.contains(removed), detected);
        String named = refusedRun(file, "sd15").getMessage();
        assertTrue(named.contains("model family \"sd15\"") && named.contains(removed), named);
    }

    @Test
    void aMisshapenTensorIsNamed() {
        // out.2.weight gives the output channels, so its bias is the tensor that no longer fits.
        String changed = "model.diffusion_model.out.2.weight";
        Path file = tinyWith("misshapen.safetensors", t -> {
            t.put(changed, Rewrite.firstRows(t.get(changed), 2));
            return t;
        });
        String m = refusedRun(file, null).getMessage();
        assertTrue(m.startsWith(file + ": "), m);
        assertTrue(m.contains("model.diffusion_model.out.2.bias has shape [4] where [2] is expected"), m);
    }

    @Test
    void anSdxlCheckpointIsSentToTheSdxlFamily() {
        Path sdxl = Fixtures.shared("sdxl/tiny.safetensors");
        String detected = refusedRun(sdxl, null).getMessage();
        assertTrue(detected.startsWith("The checkpoint " + sdxl + " cannot be used"), detected);
        assertTrue(detected.contains("use family sdxl"), detected);
        String named = refusedRun(sdxl, "sd15").getMessage();
        assertTrue(named.contains("not a checkpoint of the model family \"sd15\"") && named.contains("use family sdxl"), named);
    }
}
