package dev.lathe.api.model;

/**
 * SDXL's micro-conditioning for one image: its original size, the top-left corner of the crop
 * taken from it, and the target size, all in pixels. SD 1.x/2.x ignore it.
 */
public record SizeConditioning(int originalHeight, int originalWidth, int cropTop, int cropLeft,
        int targetHeight, int targetWidth) {

    /** What A1111 passes when rendering at {@code width × height}: original = target, no crop. */
    public static SizeConditioning of(int width, int height) {
        return new SizeConditioning(height, width, 0, 0, height, width);
    }
}
