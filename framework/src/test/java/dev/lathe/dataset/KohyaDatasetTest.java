package dev.lathe.dataset;

import static dev.lathe.dataset.BucketResolutionsTest.r;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import dev.lathe.dataset.DatasetOptions.Augmentation;
import dev.lathe.dataset.DatasetOptions.BucketOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KohyaDatasetTest {

    @TempDir
    Path root;

    @TempDir
    static Path template;

    /**
     * 10_alice: a.png 640x768, b.png 640x768, c.png 512x512 (captions from files);
     * 2_bob: d.png 900x500 without a caption file. Written once, copied for each test.
     */
    @BeforeAll
    static void writeTemplate() {
        Path alice = template.resolve("10_alice");
        TestImages.png(alice.resolve("a.png"), 640, 768, 1);
        TestImages.text(alice.resolve("a.txt"), "1girl, Alice, smile\n");
        TestImages.png(alice.resolve("b.png"), 640, 768, 2);
        TestImages.text(alice.resolve("b.txt"), "1girl, alice, red hat\r\nsecond line is ignored");
        TestImages.png(alice.resolve("c.png"), 512, 512, 3);
        TestImages.text(alice.resolve("c.txt"), "\uFEFFalice,  outdoors ");
        TestImages.png(template.resolve("2_bob").resolve("d.png"), 900, 500, 4);
    }

    @BeforeEach
    void dataset() throws IOException {
        try (Stream<Path> files = Files.walk(template)) {
            for (Path file : files.toList()) {
                Path target = root.resolve(template.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    private KohyaDataset open() {
        return KohyaDataset.open(DatasetOptions.of(root).withBatchSize(3));
    }

    @Test
    void scansFoldersImagesAndCaptionsAsKohya() {
        KohyaDataset dataset = open();
        assertEquals(List.of("10_alice", "2_bob"), dataset.folders().stream().map(DatasetFolder::name).toList());
        assertEquals(List.of("a.png", "b.png", "c.png", "d.png"),
                dataset.images().stream().map(i -> i.path().getFileName().toString()).toList());
        assertEquals(List.of("1girl, Alice, smile", "1girl, alice, red hat", "alice,  outdoors", "bob"),
                dataset.images().stream().map(DatasetImage::caption).toList());
        assertEquals(null, dataset.images().get(3).captionFile());
        // 3 images × 10 + 1 × 2
        assertEquals(32, dataset.numTrainImages());
        assertEquals("(512, 512)", dataset.ssResolution());
        assertTrue(dataset.warnings().stream().anyMatch(w -> w.contains("No caption file") && w.contains("1 image")),
                dataset.warnings().toString());
        assertTrue(dataset.warnings().stream().anyMatch(w -> w.contains("d.png")), dataset.warnings().toString());
    }

    @Test
    void bucketsAndMetadataAsKohyaWritesThem() {
        KohyaDataset dataset = open();
        // 640x768 -> (448, 576) twice ×10 repeats; 512x512 -> (512, 512) ×10; 900x500 -> (640, 384) ×2.
        assertEquals(List.of(r(448, 576), r(512, 512), r(640, 384)),
                dataset.buckets().stream().map(Bucket::resolution).toList());
        assertEquals(List.of(20, 10, 2), dataset.buckets().stream().map(Bucket::count).toList());
        // ⌈20/3⌉ + ⌈10/3⌉ + ⌈2/3⌉ = 7 + 4 + 1
        assertEquals(12, dataset.stepsPerEpoch());
        // np.mean(|[448/576 − 640/768, same, 0, 640/384 − 900/500]|) printed by Python: 0.061111111111111116
        assertEquals("{\"buckets\": {\"0\": {\"resolution\": [448, 576], \"count\": 20}, \"1\": {\"resolution\": "
                + "[512, 512], \"count\": 10}, \"2\": {\"resolution\": [640, 384], \"count\": 2}}, "
                + "\"mean_img_ar_error\": 0.061111111111111116}", dataset.ssBucketInfo());
        assertEquals(List.of("number of images (including repeats) per bucket:",
                "bucket 0: resolution (448, 576), count: 20", "bucket 1: resolution (512, 512), count: 10",
                "bucket 2: resolution (640, 384), count: 2", "mean ar error (without repeats): 0.061111111111111116"),
                dataset.bucketReport());
        assertEquals("{\"10_alice\": {\"n_repeats\": 10, \"img_count\": 3}, \"2_bob\": {\"n_repeats\": 2, "
                + "\"img_count\": 1}}", dataset.ssDatasetDirs());
        // Tags split at commas, stripped, lower-cased, counted per image (not per repeat).
        assertEquals("{\"10_alice\": {\"1girl\": 2, \"alice\": 3, \"smile\": 1, \"red hat\": 1, \"outdoors\": 1}, "
                + "\"2_bob\": {\"bob\": 1}}", dataset.ssTagFrequency());
    }

    @Test
    void noUpscaleAndDisabledBuckets() {
        KohyaDataset noUpscale = KohyaDataset.open(DatasetOptions.of(root)
                .withBuckets(new BucketOptions(true, 256, 1024, 64, true)));
        // 640x768 > 262144 px: shrunk to the area keeping 0.8333 -> (448, 576) region... as kohya computes:
        // resized_width = sqrt(262144 × 0.8333) = 467.4, height 560.9; width 467 -> 448, height for it
        // int(537.6 + .5) = 538 -> 512 (ratio 0.875); height 561 -> 512, width int(426.7 + .5) = 427 -> 384
        // (ratio 0.75): the width branch (0.0417 < 0.0833): resized (448, 538), bucket (448, 512).
        DatasetImage a = noUpscale.images().get(0);
        assertEquals(r(448, 538), a.bucket().resized());
        assertEquals(r(448, 512), a.bucket().bucket());
        assertEquals(r(512, 512), noUpscale.images().get(2).bucket().bucket());

        KohyaDataset single = KohyaDataset.open(DatasetOptions.of(root).withBuckets(BucketOptions.disabled()));
        assertEquals(List.of(r(512, 512)), single.buckets().stream().map(Bucket::resolution).toList());
        assertEquals(r(512, 614), single.images().get(0).bucket().resized());
        assertEquals("null", single.ssBucketInfo());
    }

    @Test
    void epochPlansAreDeterministicPerSeedAndEpochAndUseEverySampleOnce() {
        KohyaDataset dataset = open();
        EpochPlan first = dataset.epoch(1);
        assertEquals(first, open().epoch(1));
        assertNotEquals(first, dataset.epoch(2));
        assertNotEquals(first, KohyaDataset.open(DatasetOptions.of(root).withBatchSize(3).withSeed(7)).epoch(1));
        assertEquals(dataset.stepsPerEpoch(), first.steps());
        Map<Integer, Integer> uses = new HashMap<>();
        for (BatchPlan batch : first.batches()) {
            assertTrue(batch.size() >= 1 && batch.size() <= 3);
            for (int image : batch.images()) {
                uses.merge(image, 1, Integer::sum);
                assertEquals(batch.resolution(), dataset.images().get(image).bucket().bucket(), "one bucket per batch");
            }
        }
        assertEquals(Map.of(0, 10, 1, 10, 2, 10, 3, 2), uses);
        List<Integer> buckets = new ArrayList<>();
        for (BatchPlan batch : first.batches()) {
            buckets.add(batch.bucket());
        }
        assertNotEquals(buckets.stream().sorted().toList(), buckets, "batches of buckets are interleaved");
    }

    @Test
    void missingFolderIsAnError() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> KohyaDataset.open(DatasetOptions.of(root.resolve("nope"))));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("does not exist"), e.getMessage());
        InvalidInputException file = assertThrows(InvalidInputException.class,
                () -> KohyaDataset.open(DatasetOptions.of(root.resolve("10_alice/a.txt"))));
        assertTrue(file.getMessage().contains("is a file"), file.getMessage());
    }

    @Test
    void noRepeatFolderIsAnErrorThatExplainsTheLayout(@TempDir Path other) {
        TestImages.png(other.resolve("alice").resolve("a.png"), 64, 64, 0);
        TestImages.png(other.resolve("loose.png"), 64, 64, 0);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> KohyaDataset.open(DatasetOptions.of(other)));
        assertTrue(e.getMessage().contains("no <repeats>_<name> folder"), e.getMessage());
        assertTrue(e.getMessage().contains("1 image(s) directly"), e.getMessage());
        assertTrue(e.getMessage().contains("Folders ignored") && e.getMessage().contains("alice"), e.getMessage());
    }

    @Test
    void foldersWithoutImagesAreReportedAndNoImagesAtAllIsAnError(@TempDir Path other) {
        TestImages.text(other.resolve("10_alice").resolve("a.txt"), "caption without image");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> KohyaDataset.open(DatasetOptions.of(other)));
        assertTrue(e.getMessage().contains("no <repeats>_<name> folder with images"), e.getMessage());
    }

    @Test
    void skippedFoldersAndFilesAreWarnedAbout() throws Exception {
        TestImages.png(root.resolve("alice_extra").resolve("x.png"), 64, 64, 0);
        TestImages.png(root.resolve("0_unused").resolve("x.png"), 64, 64, 0);
        TestImages.png(root.resolve(".cache").resolve("x.png"), 64, 64, 0);
        TestImages.png(root.resolve("10_alice").resolve("e.Png"), 64, 64, 0);
        TestImages.text(root.resolve("10_alice").resolve("f.gif"), "GIF89a");
        TestImages.png(root.resolve("10_alice").resolve(".hidden.png"), 64, 64, 0);
        Files.createDirectories(root.resolve("5_empty"));
        KohyaDataset dataset = open();
        List<String> warnings = dataset.warnings();
        assertEquals(4, dataset.images().size());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("alice_extra") && w.contains("number of repeats")),
                warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("0_unused") && w.contains("0 times")),
                warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("e.Png")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("f.gif")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("5_empty") && w.contains("no images")),
                warnings.toString());
        assertTrue(warnings.stream().noneMatch(w -> w.contains(".cache") || w.contains(".hidden")),
                warnings.toString());
    }

    @Test
    void corruptImagesAreAnErrorNamingEveryFile() {
        TestImages.text(root.resolve("10_alice").resolve("broken.png"), "not a png");
        TestImages.bytes(root.resolve("2_bob").resolve("empty.jpg"), new byte[0]);
        InvalidInputException e = assertThrows(InvalidInputException.class, this::open);
        assertTrue(e.getMessage().startsWith("2 images in " + root), e.getMessage());
        assertTrue(e.getMessage().contains("broken.png") && e.getMessage().contains("empty.jpg"), e.getMessage());
        assertTrue(e.getMessage().contains("replace each with a good copy or delete it"), e.getMessage());
    }

    @Test
    void unreadableCaptionsAreAnError() {
        TestImages.bytes(root.resolve("10_alice").resolve("a.txt"), new byte[] {'o', 'k', (byte) 0xFF, (byte) 0xFE});
        TestImages.bytes(root.resolve("10_alice").resolve("b.txt"), new byte[0]);
        InvalidInputException e = assertThrows(InvalidInputException.class, this::open);
        assertTrue(e.getMessage().contains("a.txt: it is not UTF-8"), e.getMessage());
        assertTrue(e.getMessage().contains("b.txt: it is empty"), e.getMessage());
    }

    @Test
    void captionExtensionAndFaceCropNames() {
        TestImages.text(root.resolve("10_alice").resolve("a.caption"), "from caption file");
        TestImages.png(root.resolve("2_bob").resolve("e_10_20_30_40.png"), 64, 64, 5);
        TestImages.text(root.resolve("2_bob").resolve("e.caption"), "face crop caption");
        KohyaDataset dataset = KohyaDataset.open(DatasetOptions.of(root).withCaptionExtension("caption"));
        assertEquals("from caption file", dataset.images().get(0).caption());
        assertEquals("alice", dataset.images().get(1).caption(), "no .caption file: the folder name");
        assertEquals("face crop caption", dataset.images().get(4).caption());
    }

    @Test
    void bucketResolutionLimitsAreChecked() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> KohyaDataset.open(
                DatasetOptions.of(root).withResolution(1280, 1280)));
        assertTrue(e.getMessage().contains("maximum bucket resolution 1024"), e.getMessage());
        KohyaDataset adjusted = KohyaDataset.open(DatasetOptions.of(root)
                .withBuckets(new BucketOptions(true, 300, 1000, 64, false)));
        assertTrue(adjusted.warnings().stream().anyMatch(w -> w.contains("300 -> 256")));
        assertTrue(adjusted.warnings().stream().anyMatch(w -> w.contains("1000 -> 1024")));
        assertEquals(new BucketOptions(true, 256, 1024, 64, false), adjusted.bucketOptions());
        InvalidInputException odd = assertThrows(InvalidInputException.class,
                () -> DatasetOptions.of(root).withResolution(500, 512));
        assertTrue(odd.getMessage().contains("multiple of 8") && odd.getMessage().contains("496x512"),
                odd.getMessage());
    }

    @Test
    void pixelBatchesAreReproducibleAndKohyaShaped() {
        KohyaDataset dataset = KohyaDataset.open(DatasetOptions.of(root).withBatchSize(3)
                .withAugmentation(new Augmentation(true, false, false))
                .withCaptions(DatasetOptions.CaptionOptions.defaults().withShuffle(true).withKeepTokens(1)));
        BatchLoader loader = new BatchLoader(dataset, null);
        try (ai.djl.ndarray.NDManager manager = dev.lathe.runtime.TensorRuntime.newManager(ai.djl.Device.cpu())) {
            EpochPlan plan = dataset.epoch(1);
            BatchPlan big = plan.batches().stream().filter(b -> b.bucket() == 0 && b.size() == 3).findFirst()
                    .orElseThrow();
            Batch batch = loader.load(big, manager);
            assertEquals(new ai.djl.ndarray.types.Shape(3, 3, 576, 448), batch.pixels().getShape());
            assertEquals(null, batch.latents());
            float[] values = batch.pixels().toFloatArray();
            for (float v : values) {
                assertTrue(v >= -1f && v <= 1f);
            }
            HostBatch host = loader.prepare(big);
            assertArrayEquals(new long[] {3, 3, 576, 448}, host.shape());
            assertArrayEquals(values, host.values());
            Batch again = loader.load(big, manager);
            assertArrayEquals(values, again.pixels().toFloatArray());
            assertEquals(batch.captions(), again.captions());
            assertArrayEquals(new float[] {1, 1, 1}, batch.lossWeights());
            for (int i = 0; i < 3; i++) {
                assertTrue(batch.captions().get(i).startsWith("1girl, "), batch.captions().get(i));
                assertEquals(new dev.lathe.api.model.SizeConditioning(768, 640, 19, 0, 576, 448),
                        batch.sizes().get(i));
            }
            RgbImage reference = TrainingImage.resizeAndCrop(ImageFiles.read(dataset.images().get(big.images().get(0))
                    .path()), dataset.images().get(big.images().get(0)).bucket(), false, null);
            float[] unflipped = reference.toChwFloats();
            float[] first = java.util.Arrays.copyOfRange(values, 0, unflipped.length);
            float[] expected = batch.flipped()[0] ? reference.flipped().toChwFloats() : unflipped;
            assertArrayEquals(expected, first);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aboutHalfTheSamplesAreFlipped(@TempDir Path tiny) {
        TestImages.png(tiny.resolve("20_x").resolve("a.png"), 64, 64, 0);
        KohyaDataset dataset = KohyaDataset.open(DatasetOptions.of(tiny).withResolution(64, 64).withBatchSize(4)
                .withBuckets(new BucketOptions(true, 64, 128, 64, false))
                .withAugmentation(new Augmentation(true, false, false)));
        BatchLoader loader = new BatchLoader(dataset, null);
        int flips = 0;
        int samples = 0;
        for (int epoch = 1; epoch <= 5; epoch++) {
            for (BatchPlan plan : dataset.epoch(epoch).batches()) {
                for (boolean f : loader.prepare(plan).flipped()) {
                    flips += f ? 1 : 0;
                    samples++;
                }
            }
        }
        // 100 samples, p = 0.5: sd 5
        assertEquals(100, samples);
        assertTrue(flips > 30 && flips < 70, flips + " of " + samples);
    }
}
