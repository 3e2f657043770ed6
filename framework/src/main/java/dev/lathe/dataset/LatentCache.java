package dev.lathe.dataset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import dev.lathe.safetensors.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Latents of every dataset image, computed once before training (kohya's {@code --cache_latents}
 * and {@code --cache_latents_to_disk}): each image is resized and center-cropped into its bucket,
 * encoded by the caller's {@link LatentEncoder}, and, with flip augmentation, its mirror image is
 * encoded too (kohya caches both).
 *
 * <p><b>In memory</b> ({@code directory == null}) the latents live in the Java heap for the run.
 * <b>On disk</b> each image gets {@code <directory>/<folder>/<image file name>.safetensors}
 * holding {@code latents} (and {@code latents_flipped}) with what they were made from in the
 * header; a later run reuses a file only when the image's content (SHA-256), its bucket and
 * resized size, the VAE identity the caller names, and the flip setting still match, and
 * recomputes it otherwise. Files are written atomically.
 *
 * <p>Color augmentation and random crops change the pixels every step, so latents computed once
 * would be wrong: {@link #build} refuses them, as kohya does.
 */
public final class LatentCache {

    private static final Logger LOG = LoggerFactory.getLogger(LatentCache.class);
    /** Bumped whenever what a cached file holds, or how it is computed, changes. */
    static final String FORMAT = "lathe-latents-1";
    private static final long FLIP_SEED_SALT = 0x464c4950L; // "FLIP"
    private static final Progress NO_PROGRESS = new Progress() {
        @Override
        public void advance(long n) {
        }

        @Override
        public void status(String text) {
        }

        @Override
        public void close() {
        }
    };

    private final Path directory;
    private final Map<Integer, float[][]> inMemory;
    private final Map<Integer, Path> files;
    private final Map<Integer, long[]> shapes;
    private final int computed;
    private final int reused;

    private LatentCache(Path directory, Map<Integer, float[][]> inMemory, Map<Integer, Path> files,
            Map<Integer, long[]> shapes, int computed, int reused) {
        this.directory = directory;
        this.inMemory = inMemory;
        this.files = files;
        this.shapes = shapes;
        this.computed = computed;
        this.reused = reused;
    }

    /**
     * Computes (or, on disk, reuses) the latents of every image of {@code dataset}.
     *
     * @param encoder     the VAE
     * @param vaeIdentity names the VAE and its settings (e.g. the checkpoint's hash and dtype): a cached file made with another identity is recomputed
     * @param directory   where to keep the latents, or null to keep them in memory only
     * @param manager     where the pixel arrays given to the encoder are made (its device); they are freed after each image
     * @param progress    advanced by one per image (reused or computed); the caller opens it with {@code dataset.images().size()} and closes it; may be null
     * @throws InvalidInputException when color augmentation or random crop is on, or an image cannot be decoded
     */
    public static LatentCache build(KohyaDataset dataset, LatentEncoder encoder, String vaeIdentity, Path directory,
            NDManager manager, Progress progress) {
        DatasetOptions.Augmentation augmentation = dataset.options().augmentation();
        if (!augmentation.latentsCacheable()) {
            throw new InvalidInputException("Latents cannot be cached with "
                    + (augmentation.color() ? "color augmentation" : "random crop")
                    + (augmentation.color() && augmentation.randomCrop() ? " and random crop" : "")
                    + ": they change the pixels every step, so latents computed once would ignore them (kohya-ss "
                    + "refuses this combination too). Turn latent caching off, or turn off color augmentation and "
                    + "random crop.");
        }
        boolean flip = augmentation.flip();
        if (progress == null) {
            progress = NO_PROGRESS;
        }
        Map<Integer, float[][]> inMemory = new LinkedHashMap<>();
        Map<Integer, Path> files = new LinkedHashMap<>();
        Map<Integer, long[]> shapes = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        int computed = 0;
        int reused = 0;
        for (DatasetImage image : dataset.images()) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(image.path());
            } catch (IOException e) {
                problems.add(image.path() + ": it cannot be read (" + e.getMessage() + ")");
                progress.advance(1);
                continue;
            }
            String sha256 = sha256(bytes);
            Map<String, String> expected = expectedHeader(image, sha256, vaeIdentity, flip);
            Path file = directory == null ? null : fileFor(directory, image);
            if (file != null) {
                long[] shape = validCachedShape(file, expected, image, flip);
                if (shape != null) {
                    files.put(image.index(), file);
                    shapes.put(image.index(), shape);
                    reused++;
                    progress.advance(1);
                    continue;
                }
            }
            RgbImage decoded;
            try {
                decoded = ImageFiles.decode(image.path(), bytes);
            } catch (ImageFiles.CorruptImageException e) {
                problems.add(ImageFiles.problem(image.path(), e));
                progress.advance(1);
                continue;
            }
            RgbImage prepared = TrainingImage.resizeAndCrop(decoded, image.bucket(), false, null);
            long seed = noiseSeed(sha256);
            Encoded encoded = encode(encoder, manager, prepared, flip, seed, image);
            float[][] latents = {encoded.plain(), encoded.flipped()};
            long[] shape = encoded.shape();
            shapes.put(image.index(), shape);
            if (file != null) {
                write(file, latents, shape, expected);
                files.put(image.index(), file);
            } else {
                inMemory.put(image.index(), latents);
            }
            computed++;
            progress.advance(1);
        }
        if (!problems.isEmpty()) {
            throw ImageFiles.invalid(problems, "in " + dataset.options().directory());
        }
        LOG.info("Latents: {} computed, {} reused from {}", computed, reused,
                directory == null ? "memory" : directory);
        return new LatentCache(directory, inMemory, files, shapes, computed, reused);
    }

    /** Images whose latents were computed by {@link #build}. */
    public int computedCount() {
        return computed;
    }

    /** Images whose latents were valid on disk and reused. */
    public int reusedCount() {
        return reused;
    }

    /** Where the latents are kept on disk, or null in memory. */
    public Path directory() {
        return directory;
    }

    /** The cached latents of image {@code index}, {@code [C, h, w]} flattened, mirrored ones when {@code flipped}. */
    public float[] latents(int index, boolean flipped) {
        float[][] held = inMemory.get(index);
        if (held == null) {
            Path file = files.get(index);
            if (file == null) {
                throw new IllegalArgumentException("No latents cached for image " + index);
            }
            return readTensor(file, flipped ? "latents_flipped" : "latents");
        }
        float[] values = flipped ? held[1] : held[0];
        if (values == null) {
            throw new IllegalStateException("Flipped latents were not cached (flip augmentation was off)");
        }
        return values;
    }

    /** The shape {@code [C, h, w]} of image {@code index}'s latents. */
    public long[] shape(int index) {
        return shapes.get(index).clone();
    }

    /** One image's latents (and its mirror's), and their shape {@code [C, h, w]} as the encoder made them. */
    private record Encoded(float[] plain, float[] flipped, long[] shape) {
    }

    private static Encoded encode(LatentEncoder encoder, NDManager manager, RgbImage prepared, boolean flip,
            long seed, DatasetImage image) {
        int h = prepared.height();
        int w = prepared.width();
        float[] pixels = flip ? concat(prepared.toChwFloats(), prepared.flipped().toChwFloats())
                : prepared.toChwFloats();
        long[] seeds = flip ? new long[] {seed, seed ^ FLIP_SEED_SALT} : new long[] {seed};
        try (NDManager scope = manager.newSubManager()) {
            NDArray input = scope.create(pixels, new Shape(seeds.length, 3, h, w));
            NDArray output = encoder.encode(input, seeds);
            float[] all = output.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            for (float v : all) {
                if (Float.isNaN(v)) {
                    throw new IllegalStateException("NaN in the latents of " + image.path()
                            + ": the VAE produced NaN (with FP16 VAEs this is a known problem; use FP32)");
                }
            }
            int per = all.length / seeds.length;
            float[] plain = Arrays.copyOfRange(all, 0, per);
            float[] flipped = flip ? Arrays.copyOfRange(all, per, 2 * per) : null;
            // The latent size comes from the VAE (8x smaller for SD; other factors for other VAEs).
            long[] shape = Arrays.copyOfRange(output.getShape().getShape(), 1, 4);
            return new Encoded(plain, flipped, shape);
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static Path fileFor(Path directory, DatasetImage image) {
        return directory.resolve(image.folder()).resolve(image.path().getFileName().toString() + ".safetensors");
    }

    /** The header a cached file must carry to be reused for {@code image}. */
    static Map<String, String> expectedHeader(DatasetImage image, String sha256, String vaeIdentity, boolean flip) {
        Map<String, String> header = new LinkedHashMap<>();
        header.put("format", FORMAT);
        header.put("image", image.path().getFileName().toString());
        header.put("image_sha256", sha256);
        header.put("vae", vaeIdentity == null ? "" : vaeIdentity);
        header.put("bucket", image.bucket().bucket().width() + "x" + image.bucket().bucket().height());
        header.put("resized", image.bucket().resized().width() + "x" + image.bucket().resized().height());
        header.put("flipped_included", Boolean.toString(flip));
        return header;
    }

    /** The latent shape of a cached file that matches {@code expected}, or null when it must be recomputed. */
    private static long[] validCachedShape(Path file, Map<String, String> expected, DatasetImage image, boolean flip) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (SafeTensorsFile cached = SafeTensorsFile.open(file)) {
            Map<String, String> metadata = cached.metadata();
            for (Map.Entry<String, String> entry : expected.entrySet()) {
                String key = entry.getKey();
                if (key.equals("flipped_included")) {
                    continue;
                }
                if (!entry.getValue().equals(metadata.get(key))) {
                    LOG.debug("{}: cached {} differs, recomputing", file, key);
                    return null;
                }
            }
            TensorInfo plain = cached.tensors().get("latents");
            if (plain == null || (flip && !cached.tensors().containsKey("latents_flipped"))) {
                return null;
            }
            long[] shape = plain.shape();
            Resolution bucket = image.bucket().bucket();
            // The same downscale along both sides (8 for SD VAEs; the header pins the VAE itself).
            if (shape.length != 3 || shape[1] < 1 || shape[2] < 1 || bucket.height() % shape[1] != 0
                    || bucket.width() % shape[2] != 0 || bucket.height() / shape[1] != bucket.width() / shape[2]) {
                return null;
            }
            return shape;
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: the cached latents cannot be read ({}); recomputing them", file, e.getMessage());
            return null;
        }
    }

    private static void write(Path file, float[][] latents, long[] shape, Map<String, String> header) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("latents", Tensor.ofFloats(shape, latents[0]));
        if (latents[1] != null) {
            tensors.put("latents_flipped", Tensor.ofFloats(shape, latents[1]));
        }
        try {
            Files.createDirectories(file.getParent());
            SafeTensorsWriter.write(file, tensors, header);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the latent cache file " + file + ": " + e.getMessage(), e);
        }
    }

    private static float[] readTensor(Path file, String name) {
        try (SafeTensorsFile cached = SafeTensorsFile.open(file)) {
            Tensor tensor = cached.tensor(name);
            return tensor.toFloatArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the cached latents " + file + ": " + e.getMessage(), e);
        }
    }

    /** The posterior sample's noise seed: from the image's content, so it never depends on the order of work. */
    private static long noiseSeed(String sha256) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(sha256.substring(0, 16))).getLong();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
