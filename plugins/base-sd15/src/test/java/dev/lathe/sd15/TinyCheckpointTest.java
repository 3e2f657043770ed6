package dev.lathe.sd15;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lathe.api.model.Conditioning;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.Recognition;
import dev.lathe.nn.AdaptableLayer;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.SafeTensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The tiny built-in model: deterministic, loads like a real SD 1.5 checkpoint, computes sensible numbers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TinyCheckpointTest {

    @TempDir
    static Path temp;

    private Path checkpoint;
    private Sd15Model model;

    @BeforeAll
    void writeAndLoad() throws IOException {
        checkpoint = TinyCheckpoint.write(temp.resolve("model"), 7);
        model = Sd15Model.load(checkpoint, LoadOptions.cpuFloat32());
    }

    @AfterAll
    void close() {
        model.close();
    }

    private static List<String> files(Path folder) {
        return List.of(TinyCheckpoint.CHECKPOINT_FILE, TinyCheckpoint.TOKENIZER_FOLDER + "/vocab.json",
                TinyCheckpoint.TOKENIZER_FOLDER + "/merges.txt").stream().map(f -> folder.resolve(f).toString()).toList();
    }

    @Test
    void theSameSeedGivesByteIdenticalFilesAndAnotherSeedOtherWeights() throws IOException {
        Path again = temp.resolve("again");
        Path other = temp.resolve("other");
        TinyCheckpoint.write(again, 7);
        TinyCheckpoint.write(other, 8);
        List<String> first = files(temp.resolve("model"));
        List<String> second = files(again);
        List<String> third = files(other);
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(Files.readAllBytes(Path.of(first.get(i))), Files.readAllBytes(Path.of(second.get(i))), first.get(i));
        }
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(checkpoint), Files.readAllBytes(Path.of(third.get(0)))));
        assertArrayEquals(Files.readAllBytes(Path.of(first.get(1))), Files.readAllBytes(Path.of(third.get(1))),
                "the vocabulary does not depend on the seed");
        assertEquals("8", SafeTensorsFile.readMetadata(Path.of(third.get(0))).get("seed"));
    }

    @Test
    void itIsRecognizedAndLoadedAsAnSd1Checkpoint() throws IOException {
        Recognition r = new Sd15Family().recognize(SafeTensorsFile.readHeader(checkpoint), SafeTensorsFile.readMetadata(checkpoint));
        assertTrue(r.recognized(), r.reason());
        assertEquals("SD 1.x", r.variant());
        Sd15Architecture spec = model.spec();
        assertEquals(TinyCheckpoint.unet(), spec.unet());
        assertEquals(TinyCheckpoint.vae(), spec.vae());
        assertEquals(TinyCheckpoint.text(), spec.text());
        assertEquals("metadata", spec.headsSource());
        assertEquals(List.of("cond_stage_model.transformer.text_model.embeddings.position_ids"), model.ignoredTensors());
        assertEquals(TinyCheckpoint.text().vocabSize(), model.tokenizer().vocabularySize(),
                "the tokenizer found beside the checkpoint has one id per embedding row");
        long parameters = SafeTensorsFile.readHeader(checkpoint).values().stream().mapToLong(t -> t.elementCount()).sum();
        assertTrue(parameters > 1_000_000 && parameters < 2_500_000, "about the fixture's size: " + parameters);
    }

    @Test
    void textEncoderUnetAndVaeGiveFiniteOutputsOfSensibleScale() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDManager m = model.manager();
            Conditioning c = model.encodePrompts(List.of("lathecat, cat, orange fur, white background"), 1, null);
            Stats context = Stats.of(c.context());
            assertEquals(new Shape(1, 77, 32), c.context().getShape());
            context.assertWithin("text encoder output (after the final LayerNorm)", 0.5, 2.0);

            NDArray latents = gaussian(m, 42, new Shape(1, 4, 32, 32), 1);
            NDArray eps = model.predict(latents, m.create(new float[] {500f}), c);
            assertEquals(new Shape(1, 4, 32, 32), eps.getShape());
            Stats.of(eps).assertWithin("UNet epsilon", 0.05, 5.0);

            NDArray images = gaussian(m, 43, new Shape(1, 3, 64, 64), 0.5);
            NDArray encoded = model.encodeImages(images, gaussian(m, 44, new Shape(1, 4, 32, 32), 1));
            assertEquals(new Shape(1, 4, 32, 32), encoded.getShape());
            Stats.of(encoded).assertWithin("VAE latents × 0.18215", 0.005, 2.0);
            NDArray decoded = model.decodeLatents(encoded);
            assertEquals(new Shape(1, 3, 64, 64), decoded.getShape());
            Stats.of(decoded).assertWithin("decoded image", 0.01, 5.0);
        }
    }

    @Test
    void gradientsReachTheUnetsFirstLayerFromTheLoss() {
        // SD starts its output convolutions at zero; the tiny model must not, or nothing could learn.
        AdaptableLayer first = model.layers().get("model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn1.to_q");
        assertTrue(first != null, "the first attention projection is an adaptable layer");
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDManager m = model.manager();
            NDArray latents = gaussian(m, 45, new Shape(1, 4, 32, 32), 1);
            latents.setRequiresGradient(true);
            Conditioning c = model.encodePrompts(List.of("lathecat"), 1, null);
            try (GradientCollector collector = TensorRuntime.engine().newGradientCollector()) {
                NDArray eps = model.predict(latents, m.create(new float[] {300f}), c);
                collector.backward(eps.mul(eps).mean());
            }
            Stats.of(latents.getGradient()).assertWithin("gradient at the input", 1e-7, 1.0);
        }
    }

    /** Seeded normal values (Box-Muller over SplittableRandom), the same on every machine. */
    private static NDArray gaussian(NDManager m, long seed, Shape shape, double std) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (std * Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        return m.create(v, shape);
    }

    /** Mean absolute value and finiteness of an array. */
    record Stats(double meanAbs, boolean finite) {
        static Stats of(NDArray a) {
            float[] v = a.toFloatArray();
            double sum = 0;
            boolean finite = true;
            for (float x : v) {
                finite &= Float.isFinite(x);
                sum += Math.abs(x);
            }
            return new Stats(sum / v.length, finite);
        }

        void assertWithin(String what, double low, double high) {
            assertTrue(finite, what + " has non-finite values");
            assertTrue(meanAbs >= low && meanAbs <= high, what + ": mean |x| = " + meanAbs + ", expected " + low + " to " + high);
            System.out.printf("%s: mean |x| = %.4g%n", what, meanAbs);
        }
    }
}
