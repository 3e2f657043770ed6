package dev.lathe.text;

import java.util.List;

/**
 * How strongly a LoRA applies: one number, or a schedule over sampling progress written
 * {@code strength@progress} points ({@code 0.8@0,0.8@0.5,0@1}: full strength for the first half,
 * then fading out), as the sd-webui-loractl extension writes it. Between points the strength is
 * interpolated linearly; before the first point it is the first point's, after the last the
 * last's.
 *
 * @param points at least one, progress from 0 (first step) to 1 (last step), non-decreasing
 * @param text   the strength as written in the prompt
 */
public record LoraStrength(List<Point> points, String text) {

    /** A strength at a point of sampling progress. */
    public record Point(double strength, double progress) {
    }

    public LoraStrength {
        points = List.copyOf(points);
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a LoRA strength needs at least one point");
        }
        for (int i = 0; i < points.size(); i++) {
            double progress = points.get(i).progress();
            if (!(progress >= 0 && progress <= 1)) {
                throw new IllegalArgumentException("progress " + progress + " is not between 0 and 1");
            }
            if (i > 0 && progress < points.get(i - 1).progress()) {
                throw new IllegalArgumentException("progress goes back from " + points.get(i - 1).progress()
                        + " to " + progress);
            }
        }
    }

    /** One strength for the whole sampling run. */
    public static LoraStrength constant(double strength) {
        return new LoraStrength(List.of(new Point(strength, 0)), Double.toString(strength));
    }

    /** Whether the strength is the same at every step. */
    public boolean isConstant() {
        return points.stream().allMatch(p -> p.strength() == points.get(0).strength());
    }

    /**
     * The strength at {@code progress} (0 = first step, 1 = last step). Where two points share a
     * progress (a jump), the later one holds from that progress on.
     */
    public double at(double progress) {
        int last = -1; // the last point at or before progress
        while (last + 1 < points.size() && points.get(last + 1).progress() <= progress) {
            last++;
        }
        if (last < 0) {
            return points.get(0).strength();
        }
        Point left = points.get(last);
        if (last == points.size() - 1) {
            return left.strength();
        }
        Point right = points.get(last + 1); // strictly after progress, so the span is positive
        double t = (progress - left.progress()) / (right.progress() - left.progress());
        return left.strength() + (right.strength() - left.strength()) * t;
    }
}
