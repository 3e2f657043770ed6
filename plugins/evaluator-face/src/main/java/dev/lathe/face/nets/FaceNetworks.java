package dev.lathe.face.nets;

import dev.lathe.face.weights.ModelWeights;
import org.nd4j.common.config.ND4JClassLoading;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The four pretrained networks of {@code @vladmandic/face-api} 1.7.15, loaded from the weight
 * files the build packed into this bundle.
 */
public record FaceNetworks(
        SsdMobileNetV1 ssdMobilenetv1,
        TinyFaceDetector tinyFaceDetector,
        FaceLandmark68Net faceLandmark68Net,
        FaceRecognitionNet faceRecognitionNet) {

    /**
     * Loads every network, starting ND4J first if this is its first use in the JVM.
     *
     * <p>ND4J remembers the thread context class loader of its first use in static state and
     * finds its backend through it. Inside OSGi that would be a bundle's loader, which cannot
     * see the backend on the launcher's class path, and ND4J would stay broken until the JVM
     * exits; so ND4J's own loader is installed before anything touches ND4J (PLATFORM.md).
     */
    public static FaceNetworks load() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(Nd4j.class.getClassLoader());
        try {
            ND4JClassLoading.setNd4jClassloaderFromClass(Nd4j.class);
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
            return new FaceNetworks(
                    new SsdMobileNetV1(ModelWeights.fromBundle("ssd_mobilenetv1_model")),
                    new TinyFaceDetector(ModelWeights.fromBundle("tiny_face_detector_model")),
                    new FaceLandmark68Net(ModelWeights.fromBundle("face_landmark_68_model")),
                    new FaceRecognitionNet(ModelWeights.fromBundle("face_recognition_model")));
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
