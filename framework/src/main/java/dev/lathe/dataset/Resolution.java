package dev.lathe.dataset;

/** A width × height in pixels, ordered as kohya orders its bucket tuples: by width, then height. */
public record Resolution(int width, int height) implements Comparable<Resolution> {

    @Override
    public int compareTo(Resolution other) {
        return width != other.width ? Integer.compare(width, other.width) : Integer.compare(height, other.height);
    }

    /** Width over height, in double precision as kohya computes it. */
    public double aspectRatio() {
        return (double) width / height;
    }

    /** Python's tuple notation, as kohya prints it: {@code (512, 768)}. */
    @Override
    public String toString() {
        return "(" + width + ", " + height + ")";
    }
}
