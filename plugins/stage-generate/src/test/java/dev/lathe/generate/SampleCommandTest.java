package dev.lathe.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import dev.lathe.image.PngFile;
import dev.lathe.render.GenerationParameters;
import dev.lathe.render.RenderedImage;
import dev.lathe.sd15.Sd15Family;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lathe sample} in process: what it writes and how it refuses bad input. */
class SampleCommandTest {

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    private static Result sample(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--checkpoint", Fixtures.tiny().toString()));
        for (String[] fallback : new String[][] {{"--width", "16"}, {"--height", "16"}, {"--steps", "2"}}) {
            if (!all.contains(fallback[0])) {
                all.addAll(List.of(fallback));
            }
        }
        int code = new SampleCommand(List.of(new Sd15Family())).run(all,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void rendersNumberedImagesWithConsecutiveSeedsAndContinuesTheNumbering() throws Exception {
        Result first = sample("--prompt", "a cat", "--negative", "blurry", "--seed", "7", "--count", "2", "--out", dir.toString(),
                "--lora", Fixtures.lora() + ":0.5", "--clip-skip", "2", "--sampler", "euler_a");
        assertEquals(0, first.code(), first.err());
        assertEquals(List.of(dir.resolve("00000-7.png").toString(), dir.resolve("00001-8.png").toString()),
                first.out().lines().toList());
        GenerationParameters p = RenderedImage.readParameters(dir.resolve("00001-8.png"));
        assertEquals("a cat <lora:lora:0.5>", p.prompt());
        assertEquals("blurry", p.negativePrompt());
        assertEquals(8, p.seed());
        assertEquals(2, p.clipSkip());
        assertEquals("Euler a", p.sampler());
        assertEquals("Uniform", p.scheduleType());

        Result second = sample("--prompt", "a dog", "--seed", "1", "--out", dir.toString());
        assertEquals(List.of(dir.resolve("00002-1.png").toString()), second.out().lines().toList());
    }

    @Test
    void writesOneFileOrAGridOfStrengthsBySeeds() throws Exception {
        Path file = dir.resolve("one.png");
        Result single = sample("--prompt", "a cat", "--out", file.toString());
        assertEquals(0, single.code());
        assertTrue(RenderedImage.readParameters(file).seed() >= 0, "a random seed is drawn and recorded");

        Path grid = dir.resolve("grid.png");
        Result axis = sample("--prompt", "a cat", "--seed", "3", "--count", "2", "--lora-axis", Fixtures.lora() + ":0,1",
                "--out", dir.resolve("axis").toString(), "--grid", grid.toString());
        assertEquals(0, axis.code(), axis.err());
        assertEquals(5, axis.out().lines().count(), "4 images and the grid");
        GenerationParameters parameters = GenerationParameters.fromInfotext(PngFile.readText(grid).get("parameters"));
        assertEquals("lora 0, lora 1", parameters.extra().get("Y Values"));
        assertEquals("seed 3, seed 4", parameters.extra().get("X Values"));
    }

    @Test
    void badInputIsOneParagraphNotAStackTrace() throws Exception {
        assertTrue(assertThrows(InvalidInputException.class, () -> sample("--prompt", "x", "--sampler", "lms"))
                .getMessage().contains("Unknown sampler"));
        assertTrue(assertThrows(InvalidInputException.class,
                () -> sample("--prompt", "x", "--count", "2", "--out", dir.resolve("x.png").toString()))
                .getMessage().contains("Give a folder"));
        assertTrue(assertThrows(InvalidInputException.class,
                () -> sample("--prompt", "x", "--lora", dir.resolve("nope.safetensors") + ":0.5"))
                .getMessage().contains("does not exist"));
        assertTrue(assertThrows(InvalidInputException.class, () -> sample("--prompt", "x", "--lora",
                Fixtures.lora() + ":lots")).getMessage().contains("cannot be read"));
        assertTrue(assertThrows(InvalidInputException.class, () -> sample("--prompt", "x", "--width", "20"))
                .getMessage().contains("multiple of 8"));
        assertTrue(assertThrows(InvalidInputException.class, () -> sample("--prompt", "x", "--nonsense"))
                .getMessage().contains("Usage"));
        assertTrue(assertThrows(InvalidInputException.class, () -> sample("--prompt", "x", "--lora",
                Fixtures.sdxlLora().toString(), "--out", dir.toString())).getMessage().contains("is a LoRA for SDXL"));
        Result help = sample("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("Usage: sample") && help.out().contains("--lora-axis"), help.out());
    }
}
