package dev.lathe.face.analysis;

import dev.lathe.face.image.IntBox;
import dev.lathe.face.nets.Detection;

/**
 * One analysed face.
 *
 * @param detection         the detector's box and score
 * @param landmarkInputBox  the pixels fed to the landmark net
 * @param rawLandmarks      the landmark net's 136 outputs, relative to its padded input
 * @param landmarksInCrop   the 68 landmarks in pixels of {@code landmarkInputBox}
 * @param landmarks         the 68 landmarks in image pixels (iBUG order: 0–16 jaw, 17–26
 *                          eyebrows, 27–35 nose, 36–47 eyes, 48–67 mouth)
 * @param alignment         the square the recognition net sees
 * @param descriptor        the 128-D face descriptor
 */
public record Face(
        Detection detection,
        IntBox landmarkInputBox,
        float[] rawLandmarks,
        Point[] landmarksInCrop,
        Point[] landmarks,
        Alignment alignment,
        float[] descriptor) {

    /** The detection box's area in pixels, to pick the main face of an image. */
    public double area() {
        return detection.box().area();
    }
}
