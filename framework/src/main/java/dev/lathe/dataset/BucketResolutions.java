package dev.lathe.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The predefined bucket resolutions of kohya-ss/sd-scripts ({@code library/model_util.py},
 * {@code make_bucket_resolutions}): for an area of {@code maxWidth × maxHeight}, the square bucket
 * of that area, and for every width from {@code minSize} to {@code maxSize} in steps of
 * {@code divisible}, the tallest height (a multiple of {@code divisible}, at most {@code maxSize})
 * that keeps the area within the maximum, with its transpose, when that height is at least
 * {@code minSize}. Sorted by width, then height, without duplicates.
 */
public final class BucketResolutions {

    private BucketResolutions() {
    }

    public static List<Resolution> make(int maxWidth, int maxHeight, int minSize, int maxSize, int divisible) {
        long maxArea = (long) maxWidth * maxHeight;
        TreeSet<Resolution> resolutions = new TreeSet<>();
        // int(math.sqrt(max_area) // divisible) * divisible
        int square = (int) (Math.floor(Math.sqrt((double) maxArea) / divisible)) * divisible;
        resolutions.add(new Resolution(square, square));
        for (int width = minSize; width <= maxSize; width += divisible) {
            int height = (int) Math.min(maxSize, (maxArea / width) / divisible * divisible);
            if (height >= minSize) {
                resolutions.add(new Resolution(width, height));
                resolutions.add(new Resolution(height, width));
            }
        }
        return List.copyOf(new ArrayList<>(resolutions));
    }
}
