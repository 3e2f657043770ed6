package dev.lathe.distribution;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.lathe.image.PngFile;
import dev.lathe.render.GenerationParameters;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.sampling.SamplerNames;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code lathe train} as a user runs it: a kohya dataset folder in, kohya LoRA files out; killed and resumed. */
public class TrainCommandIT {

    @ClassRule
    public static final TemporaryFolder TEMP = new TemporaryFolder();

    private static Path dataset;
    private static Path checkpoint;

    @BeforeClass
    public static void prepare() throws IOException {
        checkpoint = LatheBinaryIT.SharedFixtures.file("sd15/tiny.safetensors");
        dataset = TEMP.newFolder("dataset").toPath();
        Path folder = Files.createDirectories(dataset.resolve("5_sks"));
        for (int i = 0; i < 4; i++) {
            BufferedImage image = new BufferedImage(64 + 16 * (i % 2), 64, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.setColor(new Color(40 * i, 200 - 30 * i, 90));
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setColor(Color.WHITE);
            g.fillOval(8 + 4 * i, 12, 30, 30);
            g.dispose();
            ImageIO.write(image, "png", folder.resolve("img" + i + ".png").toFile());
            Files.writeString(folder.resolve("img" + i + ".txt"), "sks, circle, " + (i % 2 == 0 ? "green" : "red"));
        }
    }

    private static List<String> args(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--checkpoint", checkpoint.toString(), "--dataset",
                dataset.toString(), "--out", out.toString(), "--name", "sks", "--epochs", "4", "--lr", "1e-3",
                "--resolution", "64", "--min-bucket-reso", "64", "--max-bucket-reso", "128", "--seed", "7",
                "--flip-aug"));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    public void trainsKohyaFilesAndAKilledRunResumesToTheSameLora() throws Exception {
        Path whole = TEMP.newFolder("whole").toPath();
        LatheBinaryIT.Run run = LatheBinaryIT.lathe(args(whole).toArray(String[]::new));
        assertEquals(run.err(), 0, run.code());
        Path lora = whole.resolve("sks/sks.safetensors");
        for (String file : List.of("sks-000001.safetensors", "sks-000002.safetensors", "sks-000003.safetensors",
                "sks.safetensors")) {
            assertTrue(file + " written; stdout: " + run.out(), Files.isRegularFile(whole.resolve("sks").resolve(file)));
        }
        assertTrue(Files.isRegularFile(whole.resolve("sks.pipeline.json")));
        Map<String, String> metadata = SafeTensorsFile.readMetadata(lora);
        assertEquals("20", metadata.get("ss_num_train_images"));
        assertEquals("4", metadata.get("ss_epoch"));

        // lathe sample renders with the trained LoRA: the PNG's parameters read back as the settings,
        // the LoRA's short hash is its sshs_model_hash, the same seed gives the same bytes, and
        // strength 0 gives the image without the LoRA.
        Path first = whole.resolve("first.png");
        LatheBinaryIT.Run sample = sample(first, lora + ":0.8");
        assertEquals(sample.err(), 0, sample.code());
        GenerationParameters p = GenerationParameters.fromInfotext(PngFile.readText(first).get("parameters"));
        assertEquals("sks, circle, green <lora:sks:0.8>", p.prompt());
        assertEquals("blurry", p.negativePrompt());
        assertEquals(4, p.steps());
        assertEquals(SamplerNames.resolve("Euler a"), p.samplerChoice());
        assertEquals(5, p.cfgScale(), 0);
        assertEquals(11, p.seed());
        assertEquals(64, p.width());
        assertEquals(64, p.height());
        assertEquals(metadata.get("sshs_model_hash").substring(0, 12), p.loraHashes().get("sks"));
        Path second = whole.resolve("second.png");
        assertEquals(0, sample(second, lora + ":0.8").code());
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
        Path zero = whole.resolve("zero.png");
        Path none = whole.resolve("none.png");
        assertEquals(0, sample(zero, lora + ":0").code());
        assertEquals(0, sample(none, null).code());
        assertArrayEquals(pixels(none), pixels(zero));

        // The same run, killed (SIGKILL) once its first state is on disk, then resumed.
        Path interrupted = TEMP.newFolder("interrupted").toPath();
        List<String> command = new ArrayList<>(List.of(LatheContainer.distribution().resolve("bin/lathe").toString()));
        command.addAll(args(interrupted));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(TEMP.newFile().toPath().toFile()).start();
        Path states = interrupted.resolve("sks/state");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!hasState(states) && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue("the run ended before it could be killed", process.isAlive());
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        assertFalse("killed before the end", Files.exists(interrupted.resolve("sks/sks.safetensors")));

        LatheBinaryIT.Run resumed = LatheBinaryIT.lathe(args(interrupted, "--resume", "auto").toArray(String[]::new));
        assertEquals(resumed.err(), 0, resumed.code());
        assertTrue(resumed.err(), resumed.err().contains("Resuming from"));
        assertEquals(metadata.get("sshs_model_hash"),
                SafeTensorsFile.readMetadata(interrupted.resolve("sks/sks.safetensors")).get("sshs_model_hash"));
    }

    @Test
    public void aDatasetWithoutRepeatFoldersIsAnErrorNamingTheFolder() throws Exception {
        Path empty = TEMP.newFolder("no-repeat-folders").toPath();
        Files.createDirectories(empty.resolve("images"));
        List<String> args = new ArrayList<>(args(TEMP.newFolder("out-empty").toPath()));
        args.set(args.indexOf("--dataset") + 1, empty.toString());
        LatheBinaryIT.Run run = LatheBinaryIT.lathe(args.toArray(String[]::new));
        run.assertCleanError(2, empty.toString());
    }

    private static LatheBinaryIT.Run sample(Path out, String lora) throws Exception {
        List<String> args = new ArrayList<>(List.of("sample", "--checkpoint", checkpoint.toString(), "--prompt",
                "sks, circle, green", "--negative", "blurry", "--sampler", "Euler a", "--steps", "4", "--cfg", "5", "--seed",
                "11", "--width", "64", "--height", "64", "--out", out.toString()));
        if (lora != null) {
            args.addAll(List.of("--lora", lora));
        }
        return LatheBinaryIT.lathe(args.toArray(String[]::new));
    }

    private static int[] pixels(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    private static boolean hasState(Path states) throws IOException {
        if (!Files.isDirectory(states)) {
            return false;
        }
        try (Stream<Path> list = Files.list(states)) {
            return list.anyMatch(p -> p.getFileName().toString().startsWith("step-")
                    && Files.exists(p.resolve("progress.json")));
        }
    }
}
