package dev.lathe.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.config.ConfigReader;
import dev.lathe.config.MapPluginCatalog;
import dev.lathe.dataset.DatasetFolder;
import dev.lathe.dataset.DatasetOptions;
import dev.lathe.dataset.KohyaDataset;
import dev.lathe.pipeline.PipelineRunner;
import dev.lathe.pipeline.ProgressFactory;
import dev.lathe.pipeline.RunSummary;
import dev.lathe.render.GenerationParameters;
import dev.lathe.render.RenderedImage;
import dev.lathe.sd15.Sd15Family;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generate stage in a pipeline, rendering with a LoRA an earlier stage produced. */
class GenerateStageTest {

    @TempDir
    Path dir;

    /** Stands in for the train stage: the fixture LoRA as "last", and as two epochs. */
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
            return Set.of("last", "epochs");
        }

        @Override
        public StageResult run(StageContext context) throws IOException {
            Path last = Files.copy(Fixtures.lora(), context.stageDir().resolve("last.safetensors"));
            Path epochs = Files.createDirectories(context.stageDir().resolve("epochs"));
            Files.copy(Fixtures.lora(), epochs.resolve("epoch-10.safetensors"));
            Files.copy(Fixtures.lora(), epochs.resolve("epoch-2.safetensors"));
            return new StageResult(Map.of("last", last, "epochs", epochs), "2 epochs");
        }
    }

    private static MapPluginCatalog catalog() {
        Sd15Family sd15 = new Sd15Family();
        return MapPluginCatalog.of(new FakeTrain(), new GenerateStage(List.of(sd15)), sd15);
    }

    private RunSummary run(String json) throws IOException {
        Path config = Files.writeString(dir.resolve("pipeline.json"), json.replace("TINY", Fixtures.tiny().toString())
                .replace("LORAS", Fixtures.lora().getParent().toString()));
        MapPluginCatalog catalog = catalog();
        return new PipelineRunner(catalog, ProgressFactory.silent()).run(new ConfigReader(catalog).read(config));
    }

    @Test
    void rendersPromptsSeedsAndStrengthsOfAnEarlierStagesLoraWithGrids() throws Exception {
        RunSummary run = run("""
                {
                  "name": "compare", "checkpoint": "TINY", "family": "sd15",
                  "stages": [
                    {"name": "train", "type": "fake-train"},
                    {"name": "gen", "type": "generate", "prompts": ["a cat", "a dog <lora:lora:0.5>"],
                     "negativePrompt": "blurry", "loraFolders": ["LORAS"], "sampler": "dpmpp_2m_karras",
                     "loras": [{"lora": "train.last", "strength": [0, 1]}], "seeds": [1, 2],
                     "width": 16, "height": 16, "steps": 2, "grid": true}
                  ]
                }
                """);
        Map<String, Path> outputs = run.stage("gen").orElseThrow().outputs();
        Path images = dir.resolve("runs/compare/gen/images");
        assertEquals(images, outputs.get("images"));
        assertEquals(List.of("last@0", "last@1"), names(images));
        assertEquals(List.of("p00-1.png", "p00-2.png", "p01-1.png", "p01-2.png"), names(images.resolve("last@1")));

        GenerationParameters dog = RenderedImage.readParameters(images.resolve("last@1/p01-2.png"));
        assertEquals("a dog <lora:lora:0.5> <lora:last:1>", dog.prompt());
        assertEquals("blurry", dog.negativePrompt());
        assertEquals(2, dog.seed());
        assertEquals("DPM++ 2M", dog.sampler());
        assertEquals("Karras", dog.scheduleType());
        assertEquals(Set.of("lora", "last"), dog.loraHashes().keySet());

        Path grids = outputs.get("grid");
        assertEquals(List.of("p00.png", "p01.png"), names(grids));
        GenerationParameters grid = RenderedImage.readParameters(grids.resolve("p00.png"));
        assertEquals("Seed", grid.extra().get("X Type"));
        assertEquals("seed 1, seed 2", grid.extra().get("X Values"));
        assertEquals("last 0, last 1", grid.extra().get("Y Values"));
        assertEquals("8 images: 2 prompt(s) x 2 variant(s) x seeds, 2 grid(s)", run.stage("gen").orElseThrow().summary());
    }

    @Test
    void aFolderOfLorasGivesOneImageFolderPerFileAndTheFamilyIsDetected() throws Exception {
        Path prompts = Files.writeString(dir.resolve("prompts.txt"), "# kohya syntax\na cat --d 77 --s 3\na dog\n");
        RunSummary run = run("""
                {
                  "name": "epochs", "checkpoint": "TINY",
                  "stages": [
                    {"name": "train", "type": "fake-train"},
                    {"name": "gen", "type": "generate", "promptFile": "prompts.txt", "loras": [{"lora": "train.epochs"}],
                     "seed": 10, "count": 2, "width": 16, "height": 16, "steps": 2}
                  ]
                }
                """.replace("prompts.txt", prompts.toString()));
        Path images = run.stage("gen").orElseThrow().outputs().get("images");
        assertEquals(List.of("epoch-10", "epoch-2"), names(images), "one folder per epoch file");
        assertEquals(List.of("p00-77.png", "p01-10.png", "p01-11.png"), names(images.resolve("epoch-2")),
                "a line's --d replaces the stage's seeds");
        assertEquals(3, RenderedImage.readParameters(images.resolve("epoch-2/p00-77.png")).steps());
        assertTrue(!run.stage("gen").orElseThrow().outputs().containsKey("grid"));
    }

    @Test
    void promptsMustBeGivenOneWay() throws Exception {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> run("""
                {"name": "none", "checkpoint": "TINY", "stages": [{"name": "gen", "type": "generate"}]}
                """));
        assertTrue(e.getMessage().contains("\"prompts\"") && e.getMessage().contains("neither"), e.getMessage());
        InvalidInputException sampler = assertThrows(InvalidInputException.class, () -> run("""
                {"name": "bad", "checkpoint": "TINY",
                 "stages": [{"name": "gen", "type": "generate", "prompts": "x", "sampler": "lms"}]}
                """));
        assertTrue(sampler.getMessage().contains("Unknown sampler \"lms\""), sampler.getMessage());
    }

    @Test
    void theDatasetOptionLaysTheImagesOutAsAKohyaDatasetThatTrainingAccepts() throws Exception {
        RunSummary run = run("""
                {
                  "name": "bad", "checkpoint": "TINY",
                  "stages": [
                    {"name": "bad", "type": "generate", "prompts": ["(blurry:1.4), (bad hands:1.2), a cat", "a dog"],
                     "seeds": [3, 4], "width": 16, "height": 16, "steps": 2,
                     "dataset": {"repeats": 10, "name": "wrong", "caption": "wrong"}}
                  ]
                }
                """);
        Map<String, Path> outputs = run.stage("bad").orElseThrow().outputs();
        Path dataset = outputs.get("dataset");
        assertEquals(dir.resolve("runs/bad/bad/dataset"), dataset);
        assertEquals(List.of("10_wrong"), names(dataset));
        Path folder = dataset.resolve("10_wrong");
        List<String> expected = new ArrayList<>();
        for (String image : List.of("p00-3", "p00-4", "p01-3", "p01-4")) {
            expected.add(image + ".png");
            expected.add(image + ".txt");
            assertEquals("wrong", Files.readString(folder.resolve(image + ".txt")));
            assertArrayEquals(Files.readAllBytes(outputs.get("images").resolve("base/" + image + ".png")),
                    Files.readAllBytes(folder.resolve(image + ".png")), "the rendered image, parameters and all");
        }
        assertEquals(expected, names(folder));

        KohyaDataset kohya = KohyaDataset.open(DatasetOptions.of(dataset));
        assertEquals(List.of("10_wrong"), kohya.folders().stream().map(DatasetFolder::name).toList());
        assertEquals(10, kohya.folders().get(0).repeats());
        assertEquals(4, kohya.images().size());
        assertTrue(kohya.images().stream().allMatch(i -> i.caption().equals("wrong") && i.captionFile() != null));
        assertEquals(40, kohya.numTrainImages());
        assertEquals(Map.of("wrong", 4), kohya.tagFrequency().get("10_wrong"));
        assertTrue(run.stage("bad").orElseThrow().summary().contains("10_wrong (4 images, captions \"wrong\")"),
                run.stage("bad").orElseThrow().summary());
    }

    @Test
    void withoutACaptionEachImageIsCaptionedWithItsPromptAsPlainTextAndTheFolderIsNamedAfterTheStage() throws Exception {
        RunSummary run = run("""
                {
                  "name": "plain", "checkpoint": "TINY",
                  "stages": [
                    {"name": "train", "type": "fake-train"},
                    {"name": "distill", "type": "generate", "loraFolders": ["LORAS"],
                     "prompts": ["(sks woman:1.2), [smiling], BREAK white background <lora:lora:0.5>"],
                     "loras": [{"lora": "train.last", "strength": [0.5, 1]}],
                     "seeds": [5], "width": 16, "height": 16, "steps": 1, "dataset": {}}
                  ]
                }
                """);
        Path folder = run.stage("distill").orElseThrow().outputs().get("dataset").resolve("1_distill");
        assertEquals(List.of("last@0.5-p00-5.png", "last@0.5-p00-5.txt", "last@1-p00-5.png", "last@1-p00-5.txt"),
                names(folder), "several variants: the variant's folder name first");
        assertEquals("sks woman, smiling, white background", Files.readString(folder.resolve("last@1-p00-5.txt")));
    }

    @Test
    void aDatasetNameThatIsNoFolderNameIsRefusedBeforeRendering() throws Exception {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> run("""
                {"name": "bad", "checkpoint": "TINY",
                 "stages": [{"name": "gen", "type": "generate", "prompts": "x", "dataset": {"name": "a/b"}}]}
                """));
        assertTrue(e.getMessage().contains("\"a/b\"") && e.getMessage().contains("path separator"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("runs/bad/gen/images")), "nothing rendered");
    }

    @Test
    void negativePromptsAreAnAxisAcrossTheLoraVariants() throws Exception {
        RunSummary run = run("""
                {
                  "name": "neg", "checkpoint": "TINY",
                  "stages": [
                    {"name": "train", "type": "fake-train"},
                    {"name": "compare", "type": "generate", "prompts": ["a cat"], "negativePrompt": "ignored",
                     "negativePrompts": ["", "wrong"], "loras": [{"lora": "train.last", "strength": [0, 1]}],
                     "seeds": [1], "width": 16, "height": 16, "steps": 2, "grid": true}
                  ]
                }
                """);
        Map<String, Path> outputs = run.stage("compare").orElseThrow().outputs();
        Path images = outputs.get("images");
        assertEquals(List.of("last@0+neg=none", "last@0+neg=wrong", "last@1+neg=none", "last@1+neg=wrong"), names(images));
        assertEquals("", RenderedImage.readParameters(images.resolve("last@0+neg=none/p00-1.png")).negativePrompt());
        GenerationParameters placebo = RenderedImage.readParameters(images.resolve("last@0+neg=wrong/p00-1.png"));
        assertEquals("wrong", placebo.negativePrompt());
        assertEquals("a cat <lora:last:0>", placebo.prompt());
        assertEquals("wrong", RenderedImage.readParameters(images.resolve("last@1+neg=wrong/p00-1.png")).negativePrompt());
        assertFalse(Arrays.equals(Files.readAllBytes(images.resolve("last@0+neg=none/p00-1.png")),
                Files.readAllBytes(images.resolve("last@0+neg=wrong/p00-1.png"))), "the negative prompt changes the image");

        GenerationParameters grid = RenderedImage.readParameters(outputs.get("grid").resolve("p00.png"));
        assertEquals("Variant", grid.extra().get("Y Type"));
        assertEquals("\"last 0, no negative\", \"last 0, neg: wrong\", \"last 1, no negative\", \"last 1, neg: wrong\"",
                grid.extra().get("Y Values"));
    }

    @Test
    void variantFolderNamesStayUnique() {
        List<Variant> variants = Variant.combinations(List.of(), List.of("x".repeat(50) + "a", "x".repeat(50) + "b", "none", ""));
        assertEquals(List.of("base+neg=" + "x".repeat(40), "base+neg=" + "x".repeat(40) + "-2", "base+neg=none",
                "base+neg=none-2"), variants.stream().map(Variant::folder).toList());
    }

    @Test
    void plainCaptionsDropWeightsTagsAndBreaks() {
        assertEquals("blurry, bad hands, a cat", DatasetWriter.plainCaption("(blurry:1.4), ((bad hands)),\n a cat <lora:x:1>"));
        assertEquals("a, b", DatasetWriter.plainCaption("a BREAK b"));
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
