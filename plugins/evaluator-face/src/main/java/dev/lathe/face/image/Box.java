package dev.lathe.face.image;

/** A box in image pixels (or, for relative boxes, in fractions of the image size). */
public record Box(double x, double y, double width, double height) {

    public double right() {
        return x + width;
    }

    public double bottom() {
        return y + height;
    }

    public double area() {
        return width * height;
    }

    /** This relative box in pixels of a {@code w x h} image. */
    public Box scale(double w, double h) {
        return new Box(x * w, y * h, width * w, height * h);
    }
}
