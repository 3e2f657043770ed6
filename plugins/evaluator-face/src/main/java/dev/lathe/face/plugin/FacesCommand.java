package dev.lathe.face.plugin;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.cli.CommandPlugin;
import dev.lathe.face.analysis.Face;
import dev.lathe.face.analysis.FaceAnalyzer;
import dev.lathe.face.analysis.Point;
import dev.lathe.face.image.Box;
import dev.lathe.face.image.RgbImage;
import dev.lathe.face.likeness.ImageFolders;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lathe faces IMAGE... [--json]}: the faces in each image with box, score, 68 landmarks
 * and 128-D descriptor, in pixel coordinates of the original image.
 */
@Component(service = CommandPlugin.class, property = "id=faces")
public final class FacesCommand implements CommandPlugin {

    private static final int IMAGES_PER_BATCH = 8;

    private final FaceService faces;

    @Activate
    public FacesCommand(@Reference FaceService faces) {
        this.faces = faces;
    }

    @Override
    public String id() {
        return "faces";
    }

    @Override
    public String description() {
        return "Detect faces and print their boxes, landmarks and descriptors";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        return PicocliCommand.run(new Arguments(out), args, out);
    }

    @Command(name = "faces", mixinStandardHelpOptions = true,
            description = "Detect the faces in images (face-api's SSD MobileNetV1 or Tiny Face Detector) and print, for each, "
                    + "its box, score, 68 landmarks and 128-D descriptor, in pixels of the original image. Descriptors of "
                    + "the same person are usually less than 0.6 apart (Euclidean).")
    private final class Arguments implements Callable<Integer> {

        @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "JPEG, PNG, BMP or GIF images, or folders of them.")
        List<Path> arguments;

        @Option(names = "--json", description = "Print JSON: one object per image, {\"image\", \"faces\": [{\"box\", \"score\", "
                + "\"landmarks\", \"descriptor\"}]}, in a JSON array.")
        boolean json;

        @Option(names = "--detector", defaultValue = "ssd", description = "ssd (SSD MobileNetV1, default) or tiny (Tiny Face Detector).")
        String detector;

        @Option(names = "--min-confidence", defaultValue = "0.5", description = "Minimum detection score (default ${DEFAULT-VALUE}).")
        double minConfidence;

        private final PrintStream out;

        Arguments(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            FaceAnalyzer.Detector chosen = CommandOptions.detector(detector, minConfidence);
            List<Path> images = new ArrayList<>();
            for (Path argument : arguments) {
                images.addAll(Files.isDirectory(argument) ? ImageFolders.images(argument, "folder") : List.of(argument));
            }
            ObjectMapper mapper = new ObjectMapper();
            if (json) {
                out.println("[");
            }
            // a few images at a time: the landmark and recognition nets are faster on more faces
            for (int from = 0; from < images.size(); from += IMAGES_PER_BATCH) {
                List<Path> group = images.subList(from, Math.min(images.size(), from + IMAGES_PER_BATCH));
                List<List<Face>> found = faces.analyzer().analyzeAll(RgbImage.readAll(group), chosen);
                for (int i = 0; i < group.size(); i++) {
                    if (json) {
                        boolean last = from + i == images.size() - 1;
                        out.println(mapper.writeValueAsString(toJson(group.get(i), found.get(i))) + (last ? "" : ","));
                    } else {
                        printText(group.get(i), found.get(i));
                    }
                }
            }
            if (json) {
                out.println("]");
            }
            return 0;
        }

        private void printText(Path image, List<Face> found) {
            out.println(image + ": " + found.size() + (found.size() == 1 ? " face" : " faces"));
            for (int i = 0; i < found.size(); i++) {
                Box b = found.get(i).detection().box();
                out.printf(Locale.ROOT, "  #%d score %.3f  box x=%.1f y=%.1f width=%.1f height=%.1f%n", i + 1,
                        found.get(i).detection().score(), b.x(), b.y(), b.width(), b.height());
            }
        }
    }

    static Map<String, Object> toJson(Path image, List<Face> found) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Face face : found) {
            Box b = face.detection().box();
            Map<String, Object> box = new LinkedHashMap<>();
            box.put("x", b.x());
            box.put("y", b.y());
            box.put("width", b.width());
            box.put("height", b.height());
            double[][] landmarks = new double[face.landmarks().length][];
            for (int p = 0; p < landmarks.length; p++) {
                Point point = face.landmarks()[p];
                landmarks[p] = new double[] {point.x(), point.y()};
            }
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("box", box);
            f.put("score", (float) face.detection().score());
            f.put("landmarks", landmarks);
            f.put("descriptor", face.descriptor());
            list.add(f);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("image", image.toString());
        json.put("faces", list);
        return json;
    }
}
