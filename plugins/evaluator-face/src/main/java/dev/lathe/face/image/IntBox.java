package dev.lathe.face.image;

/**
 * An integer pixel block: columns {@code x … x+width-1}, rows {@code y … y+height-1}.
 */
public record IntBox(int x, int y, int width, int height) {

    /**
     * face-api's clip-and-floor rule for cutting a box out of a {@code imageWidth x imageHeight}
     * image: clamp the corner at 0, shrink the size so the box ends inside the image, then floor
     * each of the four numbers. The width is {@code floor(clipped width)}, not
     * {@code floor(right) - floor(left)}.
     */
    public static IntBox clipAndFloor(double x, double y, double width, double height, int imageWidth, int imageHeight) {
        double cx = Math.max(x, 0);
        double cy = Math.max(y, 0);
        double cw = Math.min((x + width) - cx, imageWidth - cx);
        double ch = Math.min((y + height) - cy, imageHeight - cy);
        return new IntBox((int) Math.floor(cx), (int) Math.floor(cy), (int) Math.floor(cw), (int) Math.floor(ch));
    }

    public boolean isEmpty() {
        return width <= 0 || height <= 0;
    }
}
