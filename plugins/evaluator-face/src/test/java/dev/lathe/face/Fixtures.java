package dev.lathe.face;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.face.analysis.Face;
import dev.lathe.face.analysis.FaceAnalyzer;
import dev.lathe.face.image.RgbImage;
import dev.lathe.face.nets.FaceNetworks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The copies of {@code shared/fixtures/face} in this module's test resources (folder
 * {@code face/}), and the networks, loaded once per test JVM because loading takes seconds.
 */
public final class Fixtures {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, JsonNode> PARSED = new ConcurrentHashMap<>();
    private static FaceNetworks networks;

    private Fixtures() {
    }

    /** A fixture file, e.g. {@code images/sample1.jpg}. */
    public static Path path(String relative) {
        URL url = Fixtures.class.getResource("/face/" + relative);
        if (url == null) {
            throw new IllegalArgumentException("no fixture face/" + relative + " in the test resources");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(String relative) {
        return PARSED.computeIfAbsent(relative, r -> {
            try {
                return JSON.readTree(path(r).toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** A raw little-endian float32 file. */
    public static float[] f32(String relative) {
        try {
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path(relative))).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[bytes.remaining() / 4];
            bytes.asFloatBuffer().get(values);
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RgbImage image(String relative) {
        return RgbImage.read(path(relative));
    }

    public static synchronized FaceNetworks networks() {
        if (networks == null) {
            networks = FaceNetworks.load();
        }
        return networks;
    }

    public static FaceAnalyzer analyzer() {
        return new FaceAnalyzer(networks());
    }

    private static final Map<String, List<Face>> ANALYZED = new ConcurrentHashMap<>();

    /** The faces SSD and the rest of the pipeline find in a fixture image (memoized). */
    public static List<Face> faces(String relative) {
        return ANALYZED.computeIfAbsent(relative, r -> analyzer().analyze(image(r), FaceAnalyzer.Detector.SSD));
    }

    /** Copies fixture files into {@code folder} (created if needed) and returns it. */
    public static Path copy(Path folder, String... relatives) {
        try {
            Files.createDirectories(folder);
            for (String relative : relatives) {
                Path source = path(relative);
                Files.copy(source, folder.resolve(source.getFileName()));
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a uniformly grey PNG: an image in which no face can be found. */
    public static Path blankPng(Path file) {
        try {
            Files.createDirectories(file.getParent());
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(64, 48, java.awt.image.BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 48; y++) {
                for (int x = 0; x < 64; x++) {
                    image.setRGB(x, y, 0x808080);
                }
            }
            javax.imageio.ImageIO.write(image, "png", file.toFile());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON array of numbers as floats (the fixtures write float32 values as doubles). */
    public static float[] floats(JsonNode array) {
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) array.get(i).asDouble();
        }
        return values;
    }

    public static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }

    /** Asserts {@code |expected - actual| <= absolute + relative * |expected|} element by element. */
    public static void assertClose(float[] expected, float[] actual, double absolute, double relative, String what) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": lengths differ: " + expected.length + " vs " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double allowed = absolute + relative * Math.abs(expected[i]);
            if (!(Math.abs((double) expected[i] - actual[i]) <= allowed)) {
                throw new AssertionError(what + "[" + i + "]: expected " + expected[i] + " but was " + actual[i]
                        + " (allowed difference " + allowed + ")");
            }
        }
    }

    /** The largest absolute difference of two arrays of equal length. */
    public static double maxAbsDifference(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
