package dev.lathe.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import dev.lathe.sampling.SamplerNames;
import dev.lathe.sampling.Schedule;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GenerationParametersTest {

    private static GenerationParameters sample(String prompt, String negative, int clipSkip, Map<String, String> loras) {
        return new GenerationParameters(prompt, negative, 28, "DPM++ 2M", "Karras", 6.5, 3_000_000_000L, 512, 768,
                "a1b2c3d4e5", "my model, v2", clipSkip, "CPU", loras, "Lathe 0.1.0", Map.of());
    }

    @Test
    void writesTheFieldsInA1111Order() {
        Map<String, String> loras = new LinkedHashMap<>();
        loras.put("epoch-5", "0123456789ab");
        loras.put("style", "ba9876543210");
        String text = sample("1girl <lora:epoch-5:0.8>", "lowres", 2, loras).toInfotext();
        assertEquals("1girl <lora:epoch-5:0.8>\nNegative prompt: lowres\n"
                + "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 3000000000, Size: 512x768, "
                + "Model hash: a1b2c3d4e5, Model: \"my model, v2\", Clip skip: 2, RNG: CPU, "
                + "Lora hashes: \"epoch-5: 0123456789ab, style: ba9876543210\", Version: Lathe 0.1.0", text);
    }

    @Test
    void leavesOutClipSkipOneAnEmptyNegativePromptAndUnknownHashes() {
        GenerationParameters p = new GenerationParameters("a cat", "", 20, "Euler a", "Uniform", 7, 1, 64, 64, null, null,
                1, null, Map.of(), null, Map.of());
        assertEquals("a cat\nSteps: 20, Sampler: Euler a, Schedule type: Uniform, CFG scale: 7, Seed: 1, Size: 64x64",
                p.toInfotext());
    }

    @Test
    void roundTripsThroughA1111sParser() {
        Map<String, String> loras = new LinkedHashMap<>();
        loras.put("a-b_c", "0123456789ab");
        GenerationParameters written = sample("line one, (weighted:1.2)\nline two \"quoted\"", "neg: colon, comma", 3, loras);
        GenerationParameters read = GenerationParameters.fromInfotext(written.toInfotext());
        assertEquals(written, read);
    }

    @Test
    void keepsUnknownParametersAndDefaultsClipSkipToOne() {
        GenerationParameters read = GenerationParameters.fromInfotext("x\nSteps: 20, Sampler: Euler, CFG scale: 7.0, Seed: 5, "
                + "Size: 512x512, Denoising strength: 0.4, Hires upscale: 2");
        assertEquals(1, read.clipSkip());
        assertNull(read.scheduleType());
        assertNull(read.rng());
        assertEquals(7.0, read.cfgScale());
        assertEquals(Map.of("Denoising strength", "0.4", "Hires upscale", "2"), read.extra());
    }

    @Test
    void refusesParametersWithoutTheEssentials() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> GenerationParameters.fromInfotext("a cat\nSteps: 20, Sampler: Euler, CFG scale: 7"));
        assertTrue(e.getMessage().contains("Seed") && e.getMessage().contains("Size"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> GenerationParameters.fromInfotext(
                "a\nSteps: twenty, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 8x8"));
    }

    @Test
    void readsTheSamplerAsA1111Does() {
        assertEquals(choice("DPM++ 2M Karras"), at("DPM++ 2M", "Karras"));
        assertEquals(choice("DPM++ 2M"), at("DPM++ 2M", "Uniform"));
        assertEquals(choice("DPM++ 2M Karras"), at("DPM++ 2M Karras", null), "A1111 before 1.9");
        assertEquals(choice("DPM++ 2M Karras"), at("DPM++ 2M", "Automatic"), "A1111 1.10's automatic choice");
        assertEquals(choice("Euler a"), at("Euler a", "Automatic"));
        assertEquals(choice("DDIM"), at("DDIM", "Automatic"));
        assertThrows(InvalidInputException.class, () -> at("DPM++ 2M SDE", "Automatic"));
        assertThrows(InvalidInputException.class, () -> at("Euler", "Exponential"));
    }

    @Test
    void namesEveryScheduleSoThatItReadsBackTheSame() {
        for (String name : SamplerNames.names()) {
            SamplerNames.Choice chosen = SamplerNames.resolve(name);
            GenerationParameters p = new GenerationParameters("x", "", 2, Renderer.algorithmName(chosen),
                    GenerationParameters.scheduleType(chosen.schedule()), 7, 1, 8, 8, null, null, 1, null, null, null, null);
            SamplerNames.Choice read = GenerationParameters.fromInfotext(p.toInfotext()).samplerChoice();
            assertEquals(chosen.sampler(), read.sampler(), name);
            assertEquals(chosen.schedule(), read.schedule(), name);
        }
        assertEquals("Uniform", GenerationParameters.scheduleType(Schedule.DEFAULT));
    }

    @Test
    void formatsNumbersWithoutTrailingZerosOrExponents() {
        assertEquals("7", GenerationParameters.number(7.0));
        assertEquals("7.5", GenerationParameters.number(7.5));
        assertEquals("0.00001", GenerationParameters.number(1e-5));
        assertEquals("0", GenerationParameters.number(-0.0));
    }

    private static SamplerNames.Choice at(String sampler, String schedule) {
        return new GenerationParameters("x", "", 2, sampler, schedule, 7, 1, 8, 8, null, null, 1, null, null, null, null)
                .samplerChoice();
    }

    private static SamplerNames.Choice choice(String name) {
        return SamplerNames.resolve(name);
    }
}
