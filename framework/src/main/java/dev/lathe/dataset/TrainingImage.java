package dev.lathe.dataset;

import dev.lathe.api.model.SizeConditioning;
import java.util.Random;

/**
 * kohya's image preparation for one sample ({@code trim_and_resize_if_required},
 * {@code BucketManager.get_crop_ltrb} and the augmentation in {@code BaseDataset.__getitem__}):
 * resize to the bucket assignment's size, crop to the bucket (centered, or at a random offset
 * with random crop), color augmentation, horizontal flip.
 */
final class TrainingImage {

    private TrainingImage() {
    }

    /**
     * Resize and crop {@code decoded} into {@code image}'s bucket; {@code random} is used only
     * for a random crop (one draw per side that is too large, width first), else may be null.
     */
    static RgbImage resizeAndCrop(RgbImage decoded, BucketAssignment assignment, boolean randomCrop, Random random) {
        Resolution bucket = assignment.bucket();
        Resolution resized = assignment.resized();
        RgbImage image = Resampling.resizeLikeKohya(decoded, resized.width(), resized.height());
        int left = 0;
        int top = 0;
        if (image.width() > bucket.width()) {
            int trim = image.width() - bucket.width();
            left = randomCrop ? random.nextInt(trim + 1) : trim / 2;
        }
        if (image.height() > bucket.height()) {
            int trim = image.height() - bucket.height();
            top = randomCrop ? random.nextInt(trim + 1) : trim / 2;
        }
        if (image.width() < bucket.width() || image.height() < bucket.height()) {
            throw new IllegalStateException("resized " + image.width() + "x" + image.height() + " is smaller than the "
                    + "bucket " + bucket);
        }
        return image.crop(left, top, bucket.width(), bucket.height());
    }

    /**
     * kohya's {@code get_crop_ltrb(bucket, original)}: where the image lies within the bucket when
     * it is scaled to fit inside it (Stability AI's convention for SDXL's crop conditioning), as
     * floats (left and top floored). kohya uses this value whatever the crop actually was.
     */
    static double[] cropLtrb(Resolution bucket, int originalWidth, int originalHeight) {
        double bucketRatio = bucket.aspectRatio();
        double imageRatio = (double) originalWidth / originalHeight;
        double resizedWidth;
        double resizedHeight;
        if (bucketRatio > imageRatio) {
            resizedWidth = bucket.height() * imageRatio;
            resizedHeight = bucket.height();
        } else {
            resizedWidth = bucket.width();
            resizedHeight = bucket.width() / imageRatio;
        }
        double left = Math.floor((bucket.width() - resizedWidth) / 2);
        double top = Math.floor((bucket.height() - resizedHeight) / 2);
        return new double[] {left, top, left + resizedWidth, top + resizedHeight};
    }

    /**
     * SDXL's size conditioning as kohya batches it: the original size, the crop's top-left (for a
     * flipped sample the left edge is mirrored: bucket width − crop right), the bucket size.
     */
    static SizeConditioning sizeConditioning(Resolution bucket, int originalWidth, int originalHeight,
            boolean flipped) {
        double[] ltrb = cropLtrb(bucket, originalWidth, originalHeight);
        double left = flipped ? bucket.width() - ltrb[2] : ltrb[0];
        return new SizeConditioning(originalHeight, originalWidth, (int) ltrb[1], (int) left, bucket.height(),
                bucket.width());
    }
}
