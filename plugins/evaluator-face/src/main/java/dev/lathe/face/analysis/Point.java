package dev.lathe.face.analysis;

/** A point in image pixels. */
public record Point(double x, double y) {

    double distance(Point other) {
        return Math.hypot(x - other.x, y - other.y);
    }

    /** The mean of {@code points[from … to]} (inclusive). */
    static Point mean(Point[] points, int from, int to) {
        double x = 0;
        double y = 0;
        for (int i = from; i <= to; i++) {
            x += points[i].x;
            y += points[i].y;
        }
        int n = to - from + 1;
        return new Point(x / n, y / n);
    }
}
