package dev.lathe.face.analysis;

import dev.lathe.face.image.IntBox;

/**
 * face-api's dlib-style alignment: an axis-aligned square around eyes and mouth (no rotation, no
 * warping) that the recognition net sees.
 *
 * @param leftEyeCenter  mean of landmarks 36–41 (the eye on the image's left)
 * @param rightEyeCenter mean of landmarks 42–47
 * @param mouthCenter    mean of landmarks 48–67
 * @param rect           the square, before clipping to the image
 * @param cropBox        the pixels fed to the recognition net: {@code rect} clipped and floored
 */
public record Alignment(Point leftEyeCenter, Point rightEyeCenter, Point mouthCenter, IntBox rect, IntBox cropBox) {

    /**
     * The alignment square of 68 image landmarks: side {@code floor(d / 0.45)} with d the mean
     * distance of the mouth centre to the two eye centres, centred on the centroid of the three
     * centres horizontally and 43% down.
     *
     * @param landmarkCrop the landmark net's input block: face-api limits the square's size by its
     *                     width and height instead of the image's (which matters only when the
     *                     square was shifted to the image border), and that is reproduced here
     */
    static Alignment of(Point[] landmarks, IntBox landmarkCrop, int imageWidth, int imageHeight) {
        Point left = Point.mean(landmarks, 36, 41);
        Point right = Point.mean(landmarks, 42, 47);
        Point mouth = Point.mean(landmarks, 48, 67);
        double d = (mouth.distance(left) + mouth.distance(right)) / 2;
        int size = (int) Math.floor(d / 0.45);
        double cx = (left.x() + right.x() + mouth.x()) / 3;
        double cy = (left.y() + right.y() + mouth.y()) / 3;
        int x = (int) Math.floor(Math.max(0, cx - 0.5 * size));
        int y = (int) Math.floor(Math.max(0, cy - 0.43 * size));
        IntBox rect = new IntBox(x, y, Math.min(size, landmarkCrop.width() + x), Math.min(size, landmarkCrop.height() + y));
        IntBox crop = IntBox.clipAndFloor(rect.x(), rect.y(), rect.width(), rect.height(), imageWidth, imageHeight);
        return new Alignment(left, right, mouth, rect, crop);
    }
}
