package dev.lathe.bench.face;

import dev.lathe.face.analysis.FaceAnalyzer;
import dev.lathe.face.image.RgbImage;
import dev.lathe.face.nets.FaceNetworks;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Faces per second of Lathe's face pipeline: SSD MobileNetV1 (min confidence 0.5), 68 landmarks
 * and the 128-D descriptor of every face, on face-api's six demo photos, as
 * {@code faceapi-throughput.js} times face-api. The JPEGs are decoded (ImageIO) before timing;
 * a second series times decoding plus analysis, as {@code lathe faces} and the evaluator run it
 * (the six photos decoded in parallel, then analysed as one batch).
 *
 * <p>usage: {@code FaceThroughput DEMO_FOLDER PASSES}
 */
public final class FaceThroughput {

    private FaceThroughput() {
    }

    public static void main(String[] args) {
        Path demo = Path.of(args[0]);
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            files.add(demo.resolve("sample" + i + ".jpg"));
        }
        FaceAnalyzer analyzer = new FaceAnalyzer(FaceNetworks.load());
        List<RgbImage> images = files.stream().map(RgbImage::read).toList();

        int faces = analyze(analyzer, images); // warm-up
        double[][] decoded = new double[2][passes];
        double[][] withDecode = new double[2][passes];
        for (int p = 0; p < passes; p++) {
            time(decoded, p, () -> check(faces, analyze(analyzer, images)));
            time(withDecode, p, () -> check(faces, analyze(analyzer, RgbImage.readAll(files))));
        }
        String threads = System.getenv().getOrDefault("OMP_NUM_THREADS", "?");
        System.out.println(json("Lathe evaluator-face (ND4J, " + threads + " threads), decoded images", faces, decoded));
        System.out.println(json("Lathe evaluator-face, ImageIO decoding included", faces, withDecode));
    }

    /** Wall-clock seconds into {@code seconds[0][pass]}, process CPU seconds (all threads) into {@code [1][pass]}. */
    private static void time(double[][] seconds, int pass, Runnable work) {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long start = System.nanoTime();
        work.run();
        seconds[0][pass] = (System.nanoTime() - start) / 1e9;
        seconds[1][pass] = (os.getProcessCpuTime() - cpu) / 1e9;
    }

    /** The six photos as one batch: detection per photo, landmarks and descriptors of all faces together. */
    private static int analyze(FaceAnalyzer analyzer, List<RgbImage> images) {
        return analyzer.analyzeAll(images, FaceAnalyzer.Detector.SSD).stream().mapToInt(List::size).sum();
    }

    private static void check(int expected, int faces) {
        if (faces != expected) {
            throw new IllegalStateException("a pass found " + faces + " faces, the warm-up " + expected);
        }
    }

    private static String json(String implementation, int faces, double[][] seconds) {
        StringBuilder passes = new StringBuilder();
        for (double s : seconds[0]) {
            passes.append(passes.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", s));
        }
        double median = median(seconds[0]);
        return String.format(Locale.ROOT, "{\"implementation\":\"%s\",\"java\":\"%s\",\"faces\":%d,\"passes\":[%s],"
                        + "\"minSeconds\":%.4f,\"medianSeconds\":%.4f,\"medianCpuSeconds\":%.4f,\"facesPerSecond\":%.2f}",
                implementation, System.getProperty("java.version"), faces, passes, Arrays.stream(seconds[0]).min().orElseThrow(),
                median, median(seconds[1]), faces / median);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
