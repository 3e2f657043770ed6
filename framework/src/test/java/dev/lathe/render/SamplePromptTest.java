package dev.lathe.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kohya-ss sample prompt lines, files and file names, by sd-scripts' {@code line_to_prompt_dict} rules. */
class SamplePromptTest {

    @TempDir
    Path dir;

    @Test
    void readsEveryOptionOfTheIssuesExample() {
        SamplePrompt p = SamplePrompt.parse("1girl, solo --n lowres, blurry --w 512 --h 768 --s 28 --l 7 --d 42 --ss euler_a", 3);
        assertEquals(3, p.index());
        assertEquals("1girl, solo", p.prompt());
        assertEquals("lowres, blurry", p.negativePrompt());
        assertEquals(512, p.width());
        assertEquals(768, p.height());
        assertEquals(28, p.steps());
        assertEquals(7.0, p.scale());
        assertEquals(42L, p.seed());
        assertEquals("euler_a", p.sampler());
        assertTrue(p.ignored().isEmpty());
    }

    @Test
    void followsKohyasMatchingRules() {
        // case-insensitive, at the start of each part only, the last one wins
        SamplePrompt p = SamplePrompt.parse("a cat --W 640 --w 704 --S 5000 --x 1 --l 7.5.1 --d 12abc --ss DPM++ 2M Karras", 0);
        assertEquals(704, p.width());
        assertEquals(1000, p.steps(), "steps are clamped to 1..1000");
        assertNull(p.scale(), "a number Python's float() refuses leaves the option unset");
        assertEquals(12L, p.seed(), "the digits at the start count");
        assertEquals("DPM++ 2M Karras", p.sampler());
        // the first part is matched too, as kohya does
        SamplePrompt quirk = SamplePrompt.parse("s 3 girls --w 64", 0);
        assertEquals(3, quirk.steps());
        assertEquals("s 3 girls", quirk.prompt());
        // "--n" text is the rest of its part as written, and "--" without a space before it is not a separator
        SamplePrompt negative = SamplePrompt.parse("x --n  two  spaces--w 8", 0);
        assertEquals(" two  spaces--w 8", negative.negativePrompt());
        assertNull(negative.width());
        SamplePrompt zero = SamplePrompt.parse("x --s 0", 0);
        assertEquals(1, zero.steps());
    }

    @Test
    void listsOptionsOfOtherModelTypesAsIgnored() {
        SamplePrompt p = SamplePrompt.parse("x --g 3.5 --cn control.png --fs 3", 0);
        assertEquals(List.of("--g 3.5", "--cn control.png", "--fs 3"), p.ignored());
    }

    @Test
    void fillsInKohyasDefaultsAndRoundsTheSize() {
        RenderRequest r = SamplePrompt.parse("  a cat  --w 100 --h 30", 0).toRequest(SampleDefaults.kohya());
        assertEquals("a cat", r.prompt());
        assertEquals("", r.negativePrompt());
        assertEquals(96, r.width(), "rounded down to a multiple of 8");
        assertEquals(64, r.height(), "at least 64");
        assertEquals(30, r.steps());
        assertEquals(7.5, r.cfgScale());
        assertEquals(-1, r.seed(), "no --d: a random seed");
        assertEquals("DDIM", r.sampler(), "kohya's default sample_sampler is ddim");
        RenderRequest chosen = SamplePrompt.parse("a --ss k_euler_a --d 7 --s 4", 0)
                .toRequest(SampleDefaults.kohya().withClipSkip(2));
        assertEquals("Euler a", chosen.sampler());
        assertEquals(7, chosen.seed());
        assertEquals(2, chosen.clipSkip());
    }

    @Test
    void mapsKohyasSamplerNames() {
        assertEquals("DPM++ 2M", KohyaSamplers.toLathe("dpmsolver++"));
        assertEquals("Euler", KohyaSamplers.toLathe("k_euler"));
        assertEquals("DPM++ 2M Karras", KohyaSamplers.toLathe("dpmpp_2m_karras"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> KohyaSamplers.toLathe("pndm"));
        assertTrue(e.getMessage().contains("euler_a"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> KohyaSamplers.toLathe("no such sampler"));
    }

    @Test
    void readsAPromptFileLikeKohya() throws Exception {
        Path file = Files.writeString(dir.resolve("prompts.txt"), "\uFEFF# a comment\r\n"
                + "first --d 1\r\n"
                + "\n"
                + "   \n"
                + "  # indented: not a comment in kohya\n"
                + "second --n bad\n");
        List<SamplePrompt> prompts = SamplePromptFile.read(file);
        assertEquals(3, prompts.size());
        assertEquals("first", prompts.get(0).prompt());
        assertEquals(0, prompts.get(0).index());
        assertEquals("# indented: not a comment in kohya", prompts.get(1).prompt());
        assertEquals(2, prompts.get(2).index());
        assertEquals("bad", prompts.get(2).negativePrompt());
    }

    @Test
    void readsJsonPromptFiles() throws Exception {
        Path file = Files.writeString(dir.resolve("prompts.json"), """
                ["a --w 128", {"prompt": "b", "negative_prompt": "c", "width": 256, "sample_steps": 0, "seed": 9,
                               "sample_sampler": "euler", "controlnet_image": "x.png"}]
                """);
        List<SamplePrompt> prompts = SamplePromptFile.read(file);
        assertEquals(128, prompts.get(0).width());
        SamplePrompt b = prompts.get(1);
        assertEquals("c", b.negativePrompt());
        assertEquals(1, b.steps());
        assertEquals(9L, b.seed());
        assertEquals(List.of("controlnet_image"), b.ignored());
    }

    @Test
    void refusesFilesItCannotRead() throws Exception {
        assertThrows(InvalidInputException.class, () -> SamplePromptFile.read(dir.resolve("missing.txt")));
        assertThrows(InvalidInputException.class, () -> SamplePromptFile.read(Files.writeString(dir.resolve("p.toml"), "")));
        assertThrows(InvalidInputException.class,
                () -> SamplePromptFile.read(Files.writeString(dir.resolve("empty.txt"), "# only\n\n")));
        assertThrows(InvalidInputException.class,
                () -> SamplePromptFile.read(Files.write(dir.resolve("latin1.txt"), new byte[] {'a', (byte) 0xe9, '\n'})));
    }

    @Test
    void namesFilesAsKohyaDoes() {
        LocalDateTime time = LocalDateTime.of(2024, 1, 2, 3, 4, 5);
        assertEquals("mylora_e000003_00_20240102030405_42.png", SamplePromptFile.fileName("mylora", 3, 999, 0, time, 42L));
        assertEquals("mylora_000120_07_20240102030405.png", SamplePromptFile.fileName("mylora", null, 120, 7, time, null));
        assertEquals("e000010_123_20240102030405_1.png", SamplePromptFile.fileName(null, 10, 0, 123, time, 1L));
    }
}
