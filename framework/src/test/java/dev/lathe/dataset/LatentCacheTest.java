package dev.lathe.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.dataset.DatasetOptions.Augmentation;
import dev.lathe.runtime.TensorRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentCacheTest {

    @TempDir
    Path root;
    @TempDir
    Path cacheDir;

    private NDManager manager;
    private int encodedImages;
    private long[] lastSeeds;

    /**
     * A stand-in VAE: channels 0-2 are the 8x8 block means of the pixels, channel 3 the first
     * noise seed's low bits, so tests can see which pixels and which seed made a latent.
     */
    private final LatentEncoder encoder = (pixels, seeds) -> {
        encodedImages += seeds.length;
        lastSeeds = seeds.clone();
        Shape s = pixels.getShape();
        int b = (int) s.get(0);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] in = pixels.toFloatArray();
        float[] out = new float[b * 4 * (h / 8) * (w / 8)];
        int plane = (h / 8) * (w / 8);
        for (int n = 0; n < b; n++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        out[(n * 4 + c) * plane + (y / 8) * (w / 8) + x / 8] += in[((n * 3 + c) * h + y) * w + x] / 64f;
                    }
                }
            }
            Arrays.fill(out, (n * 4 + 3) * plane, (n * 4 + 4) * plane, (seeds[n] & 0xFFF) / 4096f);
        }
        return pixels.getManager().create(out, new Shape(b, 4, h / 8, w / 8));
    };

    private static final class CountingProgress implements Progress {
        long done;

        @Override
        public void advance(long n) {
            done += n;
        }

        @Override
        public void status(String text) {
        }

        @Override
        public void close() {
        }
    }

    @BeforeEach
    void setUp() {
        manager = TensorRuntime.newManager(Device.cpu());
        TestImages.png(root.resolve("3_alice").resolve("a.png"), 80, 96, 1);
        TestImages.text(root.resolve("3_alice").resolve("a.txt"), "1girl, alice");
        TestImages.png(root.resolve("3_alice").resolve("b.png"), 64, 64, 2);
        TestImages.png(root.resolve("1_bob").resolve("c.png"), 120, 64, 3);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private DatasetOptions options() {
        return DatasetOptions.of(root).withResolution(64, 64)
                .withBuckets(new DatasetOptions.BucketOptions(true, 64, 128, 64, false)).withBatchSize(2);
    }

    private LatentCache build(KohyaDataset dataset, String vae, Path dir) {
        CountingProgress progress = new CountingProgress();
        LatentCache cache = LatentCache.build(dataset, encoder, vae, dir, manager, progress);
        assertEquals(dataset.images().size(), progress.done);
        return cache;
    }

    @Test
    void inMemoryLatentsOfTheCroppedImageAndItsMirror() throws Exception {
        KohyaDataset dataset = KohyaDataset.open(options().withAugmentation(new Augmentation(true, false, false)));
        LatentCache cache = build(dataset, "vae-1", null);
        assertEquals(3, cache.computedCount());
        assertEquals(6, encodedImages, "each image and its mirror");
        DatasetImage a = dataset.images().get(1); // 3_alice/a.png, after 1_bob/c.png
        assertEquals("a.png", a.path().getFileName().toString());
        long[] shape = cache.shape(a.index());
        assertArrayEquals(new long[] {4, a.bucket().bucket().height() / 8, a.bucket().bucket().width() / 8}, shape);
        RgbImage prepared = TrainingImage.resizeAndCrop(ImageFiles.read(a.path()), a.bucket(), false, null);
        float[] expected = blockMeans(prepared);
        float[] plain = cache.latents(a.index(), false);
        float[] mirrored = cache.latents(a.index(), true);
        assertArrayEquals(expected, Arrays.copyOf(plain, expected.length), 1e-5f);
        assertArrayEquals(blockMeans(prepared.flipped()), Arrays.copyOf(mirrored, expected.length), 1e-5f);
        assertNotEquals(plain[plain.length - 1], mirrored[mirrored.length - 1], "the mirror has its own noise seed");

        BatchLoader loader = new BatchLoader(dataset, cache);
        BatchPlan plan = dataset.epoch(1).batches().get(0);
        Batch batch = loader.load(plan, manager);
        assertEquals(null, batch.pixels());
        assertEquals(new Shape(plan.size(), 4, plan.resolution().height() / 8, plan.resolution().width() / 8),
                batch.latents().getShape());
        float[] first = Arrays.copyOf(batch.latents().toFloatArray(), (int) (shape[0] * shape[1] * shape[2]));
        int image = plan.images().get(0);
        assertArrayEquals(cache.latents(image, batch.flipped()[0]), Arrays.copyOf(first,
                cache.latents(image, false).length));
    }

    @Test
    void diskCacheIsReusedAndInvalidated() throws Exception {
        KohyaDataset dataset = KohyaDataset.open(options());
        LatentCache first = build(dataset, "vae-1", cacheDir);
        assertEquals(3, first.computedCount());
        Path file = cacheDir.resolve("3_alice").resolve("a.png.safetensors");
        assertTrue(Files.isRegularFile(file));
        float[] before = first.latents(1, false);

        // unchanged: everything reused, same values
        encodedImages = 0;
        LatentCache second = build(KohyaDataset.open(options()), "vae-1", cacheDir);
        assertEquals(0, second.computedCount());
        assertEquals(3, second.reusedCount());
        assertEquals(0, encodedImages);
        assertArrayEquals(before, second.latents(1, false));

        // one image changed (same size): only it is recomputed
        TestImages.png(root.resolve("3_alice").resolve("a.png"), 80, 96, 9);
        LatentCache third = build(KohyaDataset.open(options()), "vae-1", cacheDir);
        assertEquals(1, third.computedCount());
        assertEquals(2, third.reusedCount());
        assertNotEquals(before[0], third.latents(1, false)[0]);

        // another VAE: everything recomputed
        LatentCache fourth = build(KohyaDataset.open(options()), "vae-2", cacheDir);
        assertEquals(3, fourth.computedCount());

        // another bucket (higher resolution): recomputed
        LatentCache fifth = build(KohyaDataset.open(options().withResolution(128, 128)), "vae-2", cacheDir);
        assertEquals(3, fifth.computedCount());

        // flip turned on: the cached files lack the mirrored latents, recomputed
        LatentCache sixth = build(KohyaDataset.open(options().withResolution(128, 128)
                .withAugmentation(new Augmentation(true, false, false))), "vae-2", cacheDir);
        assertEquals(3, sixth.computedCount());
        // ... and with flip off again they are still good
        LatentCache seventh = build(KohyaDataset.open(options().withResolution(128, 128)), "vae-2", cacheDir);
        assertEquals(0, seventh.computedCount());
    }

    @Test
    void noiseSeedsFollowTheImageContentNotTheOrderOfWork() throws Exception {
        KohyaDataset dataset = KohyaDataset.open(options());
        LatentCache memory = build(dataset, "vae", null);
        LatentCache disk = build(dataset, "vae", cacheDir);
        for (DatasetImage image : dataset.images()) {
            assertArrayEquals(memory.latents(image.index(), false), disk.latents(image.index(), false));
        }
    }

    @Test
    void colorAugmentationAndRandomCropCannotBeCached() {
        for (Augmentation augmentation : new Augmentation[] {new Augmentation(false, true, false),
            new Augmentation(true, false, true)}) {
            KohyaDataset dataset = KohyaDataset.open(options().withAugmentation(augmentation));
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> LatentCache.build(dataset, encoder, "vae", null, manager, new CountingProgress()));
            assertTrue(e.getMessage().startsWith("Latents cannot be cached with "
                    + (augmentation.color() ? "color augmentation" : "random crop")), e.getMessage());
        }
    }

    @Test
    void imagesDamagedPastTheirHeaderFailWhenCached() throws Exception {
        Path b = root.resolve("3_alice").resolve("b.png");
        byte[] whole = Files.readAllBytes(b);
        KohyaDataset dataset = KohyaDataset.open(options());
        Files.write(b, Arrays.copyOf(whole, whole.length - 40));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> LatentCache.build(dataset, encoder, "vae", null, manager, new CountingProgress()));
        assertTrue(e.getMessage().contains("b.png"), e.getMessage());
    }

    private static float[] blockMeans(RgbImage image) {
        float[] chw = image.toChwFloats();
        int h = image.height();
        int w = image.width();
        float[] out = new float[3 * (h / 8) * (w / 8)];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[c * (h / 8) * (w / 8) + (y / 8) * (w / 8) + x / 8] += chw[(c * h + y) * w + x] / 64f;
                }
            }
        }
        return out;
    }

}
