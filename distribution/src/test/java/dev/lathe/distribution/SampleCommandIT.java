package dev.lathe.distribution;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lathe.image.PngFile;
import dev.lathe.render.GenerationParameters;
import dev.lathe.render.RenderedImage;
import dev.lathe.sampling.SamplerNames;
import java.awt.image.BufferedImage;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code bin/lathe sample} and a pipeline with a {@code generate} stage, end to end on the tiny SD
 * 1.5 checkpoint of the shared fixtures (its tokenizer files lie beside it) with the fixture LoRA
 * (a copy in this module's test resources, until {@code lathe train} makes one).
 */
public class SampleCommandIT {

    @ClassRule
    public static final TemporaryFolder TEMP = new TemporaryFolder();

    private static Path lathe;
    private static Path tiny;
    private static Path loraFolder;

    @BeforeClass
    public static void locate() throws URISyntaxException {
        lathe = LatheContainer.distribution().resolve("bin/lathe");
        assertTrue("not built: " + lathe, Files.isExecutable(lathe));
        tiny = LatheBinaryIT.SharedFixtures.file("sd15/tiny.safetensors");
        loraFolder = Paths.get(SampleCommandIT.class.getResource("/sd15/lora.safetensors").toURI()).getParent();
    }

    record Run(int code, String out, String err) {
        void assertCleanError(String... mustMention) {
            assertEquals("exit code; stderr: " + err, 2, code);
            assertFalse("stack trace printed: " + err, err.contains("\tat ") || err.contains("Exception in thread"));
            for (String s : mustMention) {
                assertTrue("stderr should mention '" + s + "': " + err, err.contains(s));
            }
        }
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

    private static Run sample(Path out, long seed) throws Exception {
        return lathe("sample", "--checkpoint", tiny.toString(), "--prompt", "a photo of a cat, (sharp:1.2) <lora:lora:0.5>",
                "--lora-dir", loraFolder.toString(), "--lora", loraFolder.resolve("lora.safetensors") + ":0.25",
                "--negative", "blurry, lowres", "--sampler", "DPM++ 2M Karras", "--steps", "3", "--cfg", "6.5",
                "--seed", Long.toString(seed), "--width", "32", "--height", "16", "--clip-skip", "2", "--out", out.toString());
    }

    @Test
    public void writesAPngWhoseParametersReadBackAsTheSettingsUsedAndTheSameSeedTheSameBytes() throws Exception {
        Path first = TEMP.getRoot().toPath().resolve("first.png");
        Run run = sample(first, 123);
        assertEquals(run.err, 0, run.code);
        assertEquals(first.toString(), run.out.strip());

        BufferedImage image = ImageIO.read(first.toFile());
        assertEquals(32, image.getWidth());
        assertEquals(16, image.getHeight());
        String text = PngFile.readText(first).get("parameters");
        GenerationParameters p = GenerationParameters.fromInfotext(text);
        assertEquals("a photo of a cat, (sharp:1.2) <lora:lora:0.5> <lora:lora:0.25>", p.prompt());
        assertEquals("blurry, lowres", p.negativePrompt());
        assertEquals(3, p.steps());
        assertEquals(SamplerNames.resolve("DPM++ 2M Karras"), p.samplerChoice());
        assertEquals(6.5, p.cfgScale(), 0);
        assertEquals(123, p.seed());
        assertEquals(32, p.width());
        assertEquals(16, p.height());
        assertEquals(2, p.clipSkip());
        assertEquals("tiny", p.modelName());
        assertEquals(10, p.modelHash().length());
        assertEquals(java.util.Set.of("lora"), p.loraHashes().keySet());
        assertEquals(12, p.loraHashes().get("lora").length());
        assertTrue(p.version(), p.version().startsWith("Lathe 0.1.0"));
        assertTrue(text, text.contains("\nNegative prompt: blurry, lowres\nSteps: 3, Sampler: DPM++ 2M, Schedule type: Karras, "
                + "CFG scale: 6.5, Seed: 123, Size: 32x16, Model hash: "));

        Path second = TEMP.getRoot().toPath().resolve("second.png");
        assertEquals(0, sample(second, 123).code);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    public void badInputExitsWithTwoAndOneParagraph() throws Exception {
        Path out = TEMP.newFolder("bad").toPath();
        lathe("sample", "--checkpoint", tiny.toString(), "--prompt", "x", "--sampler", "fastest", "--out", out.toString())
                .assertCleanError("Unknown sampler \"fastest\"", "Euler a");
        lathe("sample", "--checkpoint", tiny.toString(), "--prompt", "x", "--width", "64", "--height", "64",
                "--lora", LatheBinaryIT.SharedFixtures.file("sdxl/lora_unet.safetensors").toString(), "--out", out.toString())
                .assertCleanError("is a LoRA for SDXL", "lora_unet.safetensors");
        lathe("sample", "--prompt", "x").assertCleanError("--checkpoint");
        Run help = lathe("sample", "--help");
        assertEquals(help.err, 0, help.code);
        assertTrue(help.out, help.out.contains("Usage: lathe sample") || help.out.contains("Usage: sample"));
    }

    @Test
    public void aPipelineGenerateStageRendersEveryVariantIntoItsFolder() throws Exception {
        Path work = TEMP.newFolder("pipeline").toPath();
        Path config = Files.writeString(work.resolve("compare.json"), """
                {
                  "name": "compare",
                  "checkpoint": "TINY",
                  "stages": [
                    {"name": "gen", "type": "generate", "prompts": ["a cat", "a dog"], "sampler": "euler_a",
                     "loras": [{"lora": "LORA", "strength": [0, 1]}], "seeds": [5, 6],
                     "width": 16, "height": 16, "steps": 2, "grid": true}
                  ]
                }
                """.replace("TINY", tiny.toString()).replace("LORA", loraFolder.resolve("lora.safetensors").toString()));
        Run run = lathe("run", config.toString(), "--out", work.resolve("out").toString());
        assertEquals(run.err, 0, run.code);
        Path images = work.resolve("out/gen/images");
        try (Stream<Path> variants = Files.list(images)) {
            assertEquals(List.of("lora@0", "lora@1"), variants.map(v -> v.getFileName().toString()).sorted().toList());
        }
        GenerationParameters p = RenderedImage.readParameters(images.resolve("lora@1/p01-6.png"));
        assertEquals("a dog <lora:lora:1>", p.prompt());
        assertEquals(6, p.seed());
        assertTrue(Files.isRegularFile(work.resolve("out/gen/grids/p00.png")));
    }
}
