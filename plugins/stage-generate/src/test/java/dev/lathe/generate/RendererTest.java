package dev.lathe.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.image.PngFile;
import dev.lathe.image.RgbImage;
import dev.lathe.lora.LoraFile;
import dev.lathe.lora.LoraFileContents;
import dev.lathe.lora.LoraWeights;
import dev.lathe.lora.SavePrecision;
import dev.lathe.render.AppliedLora;
import dev.lathe.render.FileHashes;
import dev.lathe.render.GenerationParameters;
import dev.lathe.render.LoraFolders;
import dev.lathe.render.LoraUse;
import dev.lathe.render.RenderRequest;
import dev.lathe.render.RenderedImage;
import dev.lathe.render.Renderer;
import dev.lathe.render.SampleDefaults;
import dev.lathe.render.SamplePromptFile;
import dev.lathe.render.TrainingSamples;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.sampling.SamplerNames;
import dev.lathe.sd15.Sd15Model;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Rendering with the tiny SD 1.5 fixture checkpoint: 16x16 images (8x8 latents), a few steps. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RendererTest {

    @TempDir
    static Path dir;

    private Sd15Model model;
    private Renderer renderer;

    @BeforeAll
    void load() {
        model = Sd15Model.load(Fixtures.tiny(), LoadOptions.cpuFloat32());
        renderer = newRenderer();
    }

    @AfterAll
    void close() {
        renderer.close();
        model.close();
    }

    private Renderer newRenderer() {
        return new Renderer(model, new LoraFolders(List.of(Fixtures.lora().getParent())),
                new FileHashes(dir.resolve("hashes.json")), "Lathe test");
    }

    private static RenderRequest request(String prompt) {
        return new RenderRequest(prompt, "blurry, lowres", "Euler a", 4, 5, 42, 16, 16, 1, List.of());
    }

    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedAnotherImage() {
        RenderRequest request = request("a photo of a cat, (detailed:1.2)");
        byte[] first = renderer.render(request).png();
        byte[] again;
        try (Renderer fresh = newRenderer()) {
            again = fresh.render(request).png();
        }
        assertArrayEquals(first, again);
        assertNotEquals(renderer.render(request).image(), renderer.render(request.withSeed(43)).image());
    }

    @Test
    void thePngsParametersParseBackToTheSettingsUsed() throws Exception {
        RenderRequest request = new RenderRequest("portrait, smiling <lora:lora:0.5>", "bad hands, lowres", "DPM++ 2M Karras",
                3, 6.5, 1234, 24, 16, 2, List.of(LoraUse.of(Fixtures.lora(), 0.25)));
        Path file = dir.resolve("out/image.png");
        RenderedImage rendered = renderer.renderTo(request, file, (step, steps, loras) -> { });
        assertEquals(rendered.image().width(), 24);

        GenerationParameters read = RenderedImage.readParameters(file);
        assertEquals("portrait, smiling <lora:lora:0.5> <lora:lora:0.25>", read.prompt(),
                "LoRAs given outside the prompt are added as tags, so A1111 applies them too");
        assertEquals("bad hands, lowres", read.negativePrompt());
        assertEquals(3, read.steps());
        assertEquals(SamplerNames.resolve("DPM++ 2M Karras"), read.samplerChoice());
        assertEquals("DPM++ 2M", read.sampler());
        assertEquals("Karras", read.scheduleType());
        assertEquals(6.5, read.cfgScale());
        assertEquals(1234, read.seed());
        assertEquals(24, read.width());
        assertEquals(16, read.height());
        assertEquals(2, read.clipSkip());
        assertEquals("CPU", read.rng());
        assertEquals("tiny", read.modelName());
        assertEquals(sha256(Files.readAllBytes(Fixtures.tiny())).substring(0, 10), read.modelHash());
        assertEquals(Map.of("lora", dataSha256(Fixtures.lora()).substring(0, 12)), read.loraHashes());
        assertEquals("Lathe test", read.version());
        assertEquals(rendered.parameters(), read);
        assertEquals(Map.of("parameters", rendered.parameters().toInfotext()), PngFile.readText(file));
    }

    @Test
    void aLoraAtStrengthZeroRendersTheSameAsNoLora() {
        RenderRequest request = request("a cat");
        RgbImage none = renderer.render(request).image();
        RgbImage zero = renderer.render(request.plusLora(LoraUse.of(Fixtures.lora(), 0))).image();
        RgbImage zeroTag = renderer.render(request.withPrompt("a cat <lora:lora:0>")).image();
        RgbImage full = renderer.render(request.plusLora(LoraUse.of(Fixtures.lora(), 1))).image();
        assertEquals(none, zero);
        assertEquals(none, zeroTag);
        assertNotEquals(none, full, "at strength 1 the LoRA changes the image");
        assertEquals(none, renderer.render(request).image(), "detached after the render");
    }

    @Test
    void anSdxlLoraOnAnSd15CheckpointIsAClearError() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> renderer.render(request("a cat").plusLora(LoraUse.of(Fixtures.sdxlLora(), 1))));
        assertTrue(e.getMessage().contains("lora_unet.safetensors") && e.getMessage().contains("is a LoRA for SDXL")
                && e.getMessage().contains("sdxl_base_v1-0") && e.getMessage().contains("SD 1.x/2.x checkpoint"), e.getMessage());
    }

    @Test
    void anSdxlLoraWithoutMetadataIsRecognizedByItsModuleNames() throws Exception {
        LoraFileContents sdxl = LoraFile.read(Fixtures.sdxlLora());
        Path stripped = dir.resolve("sdxl-no-metadata.safetensors");
        LoraFile.write(stripped, sdxl.modules().values(), SavePrecision.FP32, Map.of());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> renderer.render(request("a cat").plusLora(LoraUse.of(stripped, 1))));
        assertTrue(e.getMessage().contains("module names are SDXL's"), e.getMessage());
    }

    @Test
    void unknownLoraModulesAreReportedByName() throws Exception {
        LoraFileContents lora = LoraFile.read(Fixtures.lora());
        List<LoraWeights> modules = new ArrayList<>(lora.modules().values());
        LoraWeights any = modules.get(0);
        modules.add(new LoraWeights("lora_unet_down_blocks_7_attentions_0_proj_in", any.down(), any.up(), any.alpha()));
        Path extra = dir.resolve("extra-module.safetensors");
        LoraFile.write(extra, modules, SavePrecision.FP32, lora.metadata());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> renderer.render(request("a cat").plusLora(LoraUse.of(extra, 1))));
        assertTrue(e.getMessage().contains("lora_unet_down_blocks_7_attentions_0_proj_in"), e.getMessage());
    }

    @Test
    void aTagScheduleChangesTheMultiplierOverTheSteps() {
        RenderRequest scheduled = request("a cat <lora:lora:1@0,0@1>").withSampler("Euler", 5);
        List<AppliedLora> seen = new ArrayList<>();
        RgbImage fading = renderer.render(scheduled, (step, steps, loras) -> seen.add(loras.get(0))).image();
        double[] unet = seen.stream().mapToDouble(AppliedLora::unet).toArray();
        assertArrayEquals(new double[] {1, 0.75, 0.5, 0.25, 0}, unet, 1e-6);
        assertEquals("lora", seen.get(0).name());
        assertArrayEquals(unet, seen.stream().mapToDouble(AppliedLora::textEncoder).toArray(), 1e-6);

        RgbImage constantOne = renderer.render(scheduled.withPrompt("a cat <lora:lora:1>")).image();
        RgbImage constantZero = renderer.render(scheduled.withPrompt("a cat <lora:lora:0>")).image();
        assertNotEquals(constantOne, fading);
        assertNotEquals(constantZero, fading);

        // Heun evaluates twice per step; the listener still hears once per step, at the step's strength
        List<Double> heun = new ArrayList<>();
        renderer.render(scheduled.withSampler("Heun", 3).withPrompt("a cat <lora:lora:0@0,1@1>"),
                (step, steps, loras) -> heun.add(loras.get(0).unet()));
        assertEquals(List.of(0.0, 0.5, 1.0), heun);
    }

    @Test
    void aTextEncoderScheduleEncodesThePromptAgainWhenTheStrengthChanges() throws Exception {
        // A text-encoder LoRA for the tiny checkpoint: every text-encoder target, random weights.
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        List<LoraWeights> modules = new ArrayList<>();
        for (dev.lathe.api.model.LoraTarget target : model.loraTargets(new dev.lathe.api.model.LoraScope(false, true, false))) {
            int in = (int) target.inFeatures();
            int out = (int) target.outFeatures();
            modules.add(new LoraWeights(target.loraName(),
                    dev.lathe.safetensors.Tensor.ofFloats(new long[] {2, in}, randoms(random, 2 * in)),
                    dev.lathe.safetensors.Tensor.ofFloats(new long[] {out, 2}, randoms(random, 2 * out)), 2f));
        }
        Path folder = Files.createDirectories(dir.resolve("te-loras"));
        LoraFile.write(folder.resolve("te.safetensors"), modules, SavePrecision.FP32, Map.of("ss_base_model_version", "sd_v1"));
        try (Renderer withTe = new Renderer(model, new LoraFolders(List.of(folder)), null, "Lathe test")) {
            RenderRequest base = request("a cat").withSampler("Euler", 4);
            RgbImage none = withTe.render(base).image();
            RgbImage one = withTe.render(base.withPrompt("a cat <lora:te:1>")).image();
            RgbImage zero = withTe.render(base.withPrompt("a cat <lora:te:0>")).image();
            RgbImage heldAtOne = withTe.render(base.withPrompt("a cat <lora:te:1@0,1@1>")).image();
            RgbImage fading = withTe.render(base.withPrompt("a cat <lora:te:1@0,0@1>")).image();
            assertNotEquals(none, one, "the text-encoder LoRA changes the image");
            assertEquals(none, zero);
            assertEquals(one, heldAtOne);
            assertNotEquals(one, fading, "had the prompt not been encoded again, the fading LoRA would stay at 1");
            assertNotEquals(zero, fading);
        }
    }

    private static float[] randoms(java.util.SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }

    @Test
    void tagsNameLorasInTheLoraFolders() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> renderer.render(request("a cat <lora:missing:1>")));
        assertTrue(e.getMessage().contains("\"missing\"") && e.getMessage().contains("They hold: lora"), e.getMessage());
    }

    @Test
    void everySamplerRenders() {
        for (String name : List.of("Euler", "Euler a", "Heun", "DPM++ 2M", "DPM++ 2M Karras", "DPM++ SDE Karras",
                "DPM++ 2M SDE Karras", "DPM++ 3M SDE Karras", "DDIM")) {
            RenderedImage image = renderer.render(request("a cat").withSampler(name, 3));
            assertEquals(16, image.image().width(), name);
            assertFalse(isFlat(image.image()), name + " rendered a flat image");
        }
    }

    @Test
    void renderingLeavesTheCallersRandomStateAlone() throws Exception {
        float[][] draws = TensorRuntime.call(() -> {
            try (NDManager manager = TensorRuntime.newManager(model.manager().getDevice())) {
                Engine engine = Engine.getInstance();
                engine.setRandomSeed(7);
                float[] without = manager.randomNormal(new Shape(8)).toFloatArray();
                engine.setRandomSeed(7);
                renderer.render(request("a cat").withSampler("DPM++ SDE Karras", 2).withSeed(-1));
                float[] with = manager.randomNormal(new Shape(8)).toFloatArray();
                return new float[][] {without, with};
            }
        });
        assertArrayEquals(draws[0], draws[1]);
    }

    @Test
    void trainingSamplesAreNamedAsKohyaNamesThem() throws Exception {
        Path prompts = Files.writeString(dir.resolve("prompts.txt"), "# samples\na cat --w 16 --h 16 --s 2 --d 5 --ss euler_a\n"
                + "a dog --n blurry --w 64 --h 79 --s 2 --l 4\n");
        Clock clock = Clock.fixed(Instant.parse("2024-05-06T07:08:09Z"), ZoneOffset.UTC);
        TrainingSamples samples = new TrainingSamples(SamplePromptFile.read(prompts), SampleDefaults.kohya(),
                dir.resolve("sample"), "mylora", clock);
        List<Path> files = samples.render(renderer, 3, 120, (step, steps, loras) -> { });
        assertEquals(List.of(dir.resolve("sample/mylora_e000003_00_20240506070809_5.png"),
                dir.resolve("sample/mylora_e000003_01_20240506070809.png")), files);
        GenerationParameters dog = RenderedImage.readParameters(files.get(1));
        assertEquals("DDIM", dog.sampler(), "kohya's default sampler");
        assertEquals(4.0, dog.cfgScale());
        assertEquals("blurry", dog.negativePrompt());
        assertEquals(72, dog.height(), "rounded down to a multiple of 8");
        assertEquals(64, RenderedImage.readParameters(files.get(0)).width(), "kohya renders at least 64 pixels");
    }

    private static boolean isFlat(RgbImage image) {
        int first = image.rgb(0, 0);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                if (image.rgb(x, y) != first) {
                    return false;
                }
            }
        }
        return true;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** The SHA-256 of a safetensors file's data section, computed here independently of FileHashes. */
    static String dataSha256(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        long header = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return sha256(Arrays.copyOfRange(bytes, (int) (8 + header), bytes.length));
    }
}
