package dev.lathe.face.analysis;

import dev.lathe.face.image.Box;
import dev.lathe.face.image.IntBox;
import dev.lathe.face.image.NetInput;
import dev.lathe.face.image.RgbImage;
import dev.lathe.face.nets.Detection;
import dev.lathe.face.nets.FaceLandmark68Net;
import dev.lathe.face.nets.FaceNetworks;
import dev.lathe.face.nets.FaceRecognitionNet;
import java.util.ArrayList;
import java.util.List;

/**
 * face-api's {@code detectAllFaces(…).withFaceLandmarks().withFaceDescriptors()}: detect, cut
 * each face out for the landmark net, align on eyes and mouth, cut again for the recognition net.
 */
public final class FaceAnalyzer {

    /** Which detector finds the faces, and how strict it is. */
    public record Detector(Kind kind, double minConfidence) {

        /** The detectors, by the names options and commands use. */
        public enum Kind {
            SSD_MOBILENETV1("ssd"),
            TINY_FACE_DETECTOR("tiny");

            private final String label;

            Kind(String label) {
                this.label = label;
            }

            public String label() {
                return label;
            }
        }

        /** face-api's defaults for the SSD detector: min confidence 0.5, at most 100 faces. */
        public static final Detector SSD = new Detector(Kind.SSD_MOBILENETV1, 0.5);

        public Detector {
            if (!(minConfidence > 0 && minConfidence < 1)) {
                throw new IllegalArgumentException("a minimum confidence must lie between 0 and 1, not " + minConfidence);
            }
        }

        /**
         * @param label {@code ssd} or {@code tiny}
         * @throws IllegalArgumentException for any other label
         */
        public static Detector of(String label, double minConfidence) {
            for (Kind kind : Kind.values()) {
                if (kind.label.equals(label)) {
                    return new Detector(kind, minConfidence);
                }
            }
            throw new IllegalArgumentException("unknown detector \"" + label + "\": choose ssd or tiny");
        }
    }

    private static final int SSD_MAX_RESULTS = 100;
    /**
     * Faces per batch of the landmark and recognition nets: enough to keep their matrix
     * products efficient, few enough to bound the memory (about 10 MB of activations per face).
     */
    private static final int MAX_BATCH = 32;

    private final FaceNetworks networks;

    public FaceAnalyzer(FaceNetworks networks) {
        this.networks = networks;
    }

    /** Every face the detector finds, in its order (highest score first). */
    public List<Face> analyze(RgbImage image, Detector detector) {
        return analyzeAll(List.of(image), detector).get(0);
    }

    /**
     * The faces of several images, as {@link #analyze} finds them one by one. Detection runs
     * image by image; the landmark and recognition nets then see the faces of all the images
     * together, which makes their matrix products larger and faster.
     */
    public List<List<Face>> analyzeAll(List<RgbImage> images, Detector detector) {
        List<Pending> pending = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            RgbImage image = images.get(i);
            for (Detection d : detect(image, detector)) {
                IntBox box = landmarkInputBox(d.box(), image.width(), image.height());
                if (!box.isEmpty()) { // a sliver at the border holds no face to measure
                    pending.add(new Pending(i, image, d, box));
                }
            }
        }
        List<List<Face>> faces = new ArrayList<>();
        images.forEach(image -> faces.add(new ArrayList<>()));
        for (int from = 0; from < pending.size(); from += MAX_BATCH) {
            List<Pending> batch = pending.subList(from, Math.min(pending.size(), from + MAX_BATCH));
            List<Face> described = describe(batch);
            for (int i = 0; i < batch.size(); i++) {
                faces.get(batch.get(i).image()).add(described.get(i));
            }
        }
        return faces;
    }

    private List<Detection> detect(RgbImage image, Detector detector) {
        return detector.kind() == Detector.Kind.SSD_MOBILENETV1
                ? networks.ssdMobilenetv1().detect(image, detector.minConfidence(), SSD_MAX_RESULTS)
                : networks.tinyFaceDetector().detect(image, detector.minConfidence());
    }

    /** A detection waiting for its landmarks and descriptor. */
    private record Pending(int image, RgbImage pixels, Detection detection, IntBox landmarkBox) {
    }

    /** Landmarks, alignment and descriptor for each detection, one batch per network. */
    private List<Face> describe(List<Pending> batch) {
        List<float[]> landmarkInputs = batch.stream()
                .map(p -> NetInput.squareResized(p.pixels(), p.landmarkBox(), true, FaceLandmark68Net.INPUT_SIZE)).toList();
        float[][] raw = networks.faceLandmark68Net().rawLandmarks(landmarkInputs);

        List<Point[]> inCrop = new ArrayList<>();
        List<Point[]> landmarks = new ArrayList<>();
        List<Alignment> alignments = new ArrayList<>();
        List<float[]> recognitionInputs = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            Box box = p.detection().box();
            IntBox crop = p.landmarkBox();
            Point[] local = landmarksInCrop(raw[i], crop.width(), crop.height());
            // Shifted by the unfloored detection corner although the crop started at the floored
            // one: face-api does so, and descriptors depend on it.
            Point[] global = new Point[local.length];
            for (int k = 0; k < local.length; k++) {
                global[k] = new Point(local[k].x() + box.x(), local[k].y() + box.y());
            }
            Alignment alignment = Alignment.of(global, crop, p.pixels().width(), p.pixels().height());
            inCrop.add(local);
            landmarks.add(global);
            alignments.add(alignment);
            recognitionInputs.add(NetInput.squareResized(p.pixels(), alignment.cropBox(), true, FaceRecognitionNet.INPUT_SIZE));
        }
        float[][] descriptors = networks.faceRecognitionNet().descriptors(recognitionInputs);

        List<Face> faces = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            faces.add(new Face(batch.get(i).detection(), batch.get(i).landmarkBox(), raw[i], inCrop.get(i), landmarks.get(i),
                    alignments.get(i), descriptors[i]));
        }
        return faces;
    }

    /**
     * The block cut out for the landmark net. face-api re-derives the pixel box through relative
     * coordinates first, which can change the last bit of a double.
     */
    static IntBox landmarkInputBox(Box box, int width, int height) {
        double x = box.x() * (1.0 / width) * width;
        double y = box.y() * (1.0 / height) * height;
        double w = box.width() * (1.0 / width) * width;
        double h = box.height() * (1.0 / height) * height;
        return IntBox.clipAndFloor(x, y, w, h, width, height);
    }

    /**
     * The landmark net's outputs in pixels of its {@code cropWidth x cropHeight} input, undoing
     * the padding to a square in float32 as face-api does (assuming the padding symmetric).
     */
    static Point[] landmarksInCrop(float[] raw, int cropWidth, int cropHeight) {
        float size = FaceLandmark68Net.INPUT_SIZE;
        float scale = size / Math.max(cropWidth, cropHeight);
        float scaledWidth = cropWidth * scale;
        float scaledHeight = cropHeight * scale;
        float padX = scaledWidth < scaledHeight ? Math.abs(scaledWidth - scaledHeight) / 2 : 0;
        float padY = scaledHeight < scaledWidth ? Math.abs(scaledWidth - scaledHeight) / 2 : 0;
        Point[] points = new Point[raw.length / 2];
        for (int p = 0; p < points.length; p++) {
            float relX = (raw[2 * p] * size - padX) / scaledWidth;
            float relY = (raw[2 * p + 1] * size - padY) / scaledHeight;
            points[p] = new Point(relX * cropWidth, relY * cropHeight);
        }
        return points;
    }
}
