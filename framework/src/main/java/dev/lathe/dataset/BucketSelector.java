package dev.lathe.dataset;

import dev.lathe.api.InvalidInputException;
import java.nio.file.Path;
import java.util.List;

/**
 * kohya-ss's {@code BucketManager.select_bucket} ({@code library/train_util.py}).
 *
 * <p><b>With upscaling</b> (the default): an image whose size is itself a predefined bucket uses
 * it; otherwise the predefined bucket with the smallest |bucket ratio − image ratio| (the first in
 * sorted order on a tie). The image is scaled so that it covers the bucket: a wider image than the
 * bucket is scaled to the bucket's height, otherwise to its width, rounding each side half up.
 *
 * <p><b>Without upscaling</b> ({@code bucket_no_upscale}): an image larger than the maximum area is
 * first scaled down to that area, keeping its ratio, and one side rounded to the step (the one
 * that keeps the ratio closer); the bucket is then the image size rounded down to the step on
 * both sides, so the image is only cropped, never enlarged.
 */
public final class BucketSelector {

    private final boolean noUpscale;
    private final long maxArea;
    private final int step;
    private final List<Resolution> predefined;
    private final double[] predefinedRatios;

    private BucketSelector(boolean noUpscale, long maxArea, int step, List<Resolution> predefined) {
        this.noUpscale = noUpscale;
        this.maxArea = maxArea;
        this.step = step;
        this.predefined = predefined;
        this.predefinedRatios = predefined.stream().mapToDouble(Resolution::aspectRatio).toArray();
    }

    /** Buckets from {@link BucketResolutions#make} (kohya's default mode). */
    public static BucketSelector predefined(List<Resolution> resolutions) {
        return new BucketSelector(false, 0, 1, List.copyOf(resolutions));
    }

    /** Buckets from each image's own size, at most {@code maxArea} pixels, sides multiples of {@code step}. */
    public static BucketSelector noUpscale(long maxArea, int step) {
        return new BucketSelector(true, maxArea, step, List.of());
    }

    /** The bucket for an image of {@code width × height} ({@code file} names it in errors). */
    public BucketAssignment select(int width, int height, Path file) {
        double aspectRatio = (double) width / height;
        Resolution bucket;
        Resolution resized;
        if (!noUpscale) {
            Resolution own = new Resolution(width, height);
            if (predefined.contains(own)) {
                bucket = own;
            } else {
                int best = 0;
                double bestError = Double.POSITIVE_INFINITY;
                for (int i = 0; i < predefinedRatios.length; i++) {
                    double error = Math.abs(predefinedRatios[i] - aspectRatio);
                    if (error < bestError) { // strict: the first minimum, as numpy's argmin
                        bestError = error;
                        best = i;
                    }
                }
                bucket = predefined.get(best);
            }
            double scale = aspectRatio > bucket.aspectRatio()
                    ? (double) bucket.height() / height   // wider than the bucket: match heights
                    : (double) bucket.width() / width;    // otherwise match widths
            resized = new Resolution((int) (width * scale + 0.5), (int) (height * scale + 0.5));
        } else {
            if ((long) width * height > maxArea) {
                double resizedWidth = Math.sqrt(maxArea * aspectRatio);
                double resizedHeight = maxArea / resizedWidth;
                int widthRounded = roundToSteps(resizedWidth);
                int heightInWidthRounded = roundToSteps(widthRounded / aspectRatio);
                double ratioWidthRounded = (double) widthRounded / heightInWidthRounded;
                int heightRounded = roundToSteps(resizedHeight);
                int widthInHeightRounded = roundToSteps(heightRounded * aspectRatio);
                double ratioHeightRounded = (double) widthInHeightRounded / heightRounded;
                if (Math.abs(ratioWidthRounded - aspectRatio) < Math.abs(ratioHeightRounded - aspectRatio)) {
                    resized = new Resolution(widthRounded, (int) (widthRounded / aspectRatio + 0.5));
                } else {
                    resized = new Resolution((int) (heightRounded * aspectRatio + 0.5), heightRounded);
                }
            } else {
                resized = new Resolution(width, height);
            }
            bucket = new Resolution(resized.width() - resized.width() % step,
                    resized.height() - resized.height() % step);
            if (bucket.width() == 0 || bucket.height() == 0) {
                throw new InvalidInputException("The image " + file + " is " + width + "x" + height
                        + " pixels: with bucket_no_upscale every side must be at least the bucket step (" + step
                        + " px). Remove or enlarge the image, or train without --bucket-no-upscale.");
            }
        }
        return new BucketAssignment(bucket, resized, bucket.aspectRatio() - aspectRatio);
    }

    /** kohya's {@code round_to_steps}: round half up, then down to a multiple of the step. */
    private int roundToSteps(double x) {
        int rounded = (int) (x + 0.5);
        return rounded - rounded % step;
    }
}
