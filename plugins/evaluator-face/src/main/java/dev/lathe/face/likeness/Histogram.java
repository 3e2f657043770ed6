package dev.lathe.face.likeness;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws the distribution of one candidate folder's distances as a PNG, with the thresholds
 * marked and the share of images below each (java.awt, no display needed).
 */
final class Histogram {

    private static final int WIDTH = 720;
    private static final int HEIGHT = 420;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 64;
    private static final int BOTTOM = 50;
    private static final int BINS = 40;
    private static final Color BAR = new Color(0x4C78A8);
    private static final Color[] THRESHOLD_COLORS = {new Color(0xD62728), new Color(0xFF7F0E), new Color(0x2CA02C)};

    private Histogram() {
    }

    /** Tick spacings to choose from: the smallest that needs at most 10 ticks wins. */
    private static final double[] STEPS = {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5};

    /** An axis from 0 to a whole number of ticks. */
    record Axis(double max, double step) {

        /** An axis that shows {@code largest} with a little room. */
        static Axis upTo(double largest) {
            double top = Math.max(largest * 1.05, 0.05);
            for (double step : STEPS) {
                if (top / step <= 10) {
                    return new Axis(Math.ceil(top / step) * step, step);
                }
            }
            return new Axis(Math.ceil(top / 10) * 10, 10);
        }
    }

    /**
     * @param axis       the distance axis (the same for every candidate of an evaluation, so
     *                   their histograms compare at a glance)
     * @param distances  the distances of the images with a face
     * @param shareBelow threshold to the share of all images below it
     */
    static void write(Path file, String title, String subtitle, String metric, Axis axis, List<Double> distances,
                      Map<Double, Double> shareBelow) throws IOException {
        double xMax = axis.max();
        int[] counts = new int[BINS];
        for (double d : distances) {
            counts[Math.min(BINS - 1, (int) (d / xMax * BINS))]++;
        }
        int yMax = 1;
        for (int c : counts) {
            yMax = Math.max(yMax, c);
        }

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int plotWidth = WIDTH - LEFT - RIGHT;
            int plotHeight = HEIGHT - TOP - BOTTOM;
            int baseline = TOP + plotHeight;

            g.setColor(BAR);
            for (int b = 0; b < BINS; b++) {
                int x0 = LEFT + b * plotWidth / BINS;
                int x1 = LEFT + (b + 1) * plotWidth / BINS;
                int h = (int) Math.round((double) counts[b] / yMax * plotHeight);
                g.fillRect(x0 + 1, baseline - h, x1 - x0 - 1, h);
            }

            g.setColor(Color.DARK_GRAY);
            g.drawLine(LEFT, baseline, LEFT + plotWidth, baseline);
            g.drawLine(LEFT, TOP, LEFT, baseline);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            int ticks = (int) Math.round(xMax / axis.step());
            int decimals = axis.step() < 0.1 ? 2 : axis.step() < 1 ? 1 : 0;
            for (int i = 0; i <= ticks; i++) {
                double value = axis.step() * i;
                int x = LEFT + (int) Math.round(value / xMax * plotWidth);
                g.drawLine(x, baseline, x, baseline + 4);
                String label = format(value, decimals);
                g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, baseline + 17);
            }
            int yStep = Math.max(1, (int) Math.ceil(yMax / 5.0));
            for (int v = 0; v <= yMax; v += yStep) {
                int y = baseline - (int) Math.round((double) v / yMax * plotHeight);
                g.drawLine(LEFT - 4, y, LEFT, y);
                g.drawString(Integer.toString(v), LEFT - 8 - g.getFontMetrics().stringWidth(Integer.toString(v)), y + 4);
            }
            g.drawString(metric + " distance to the references (images with a face)", LEFT + plotWidth / 2 - 140, HEIGHT - 12);

            int index = 0;
            for (Map.Entry<Double, Double> threshold : shareBelow.entrySet()) {
                Color color = THRESHOLD_COLORS[index % THRESHOLD_COLORS.length];
                int x = LEFT + (int) Math.round(threshold.getKey() / xMax * plotWidth);
                g.setColor(color);
                g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
                g.drawLine(x, TOP, x, baseline);
                g.setStroke(new BasicStroke());
                g.drawString("< " + LikenessEvaluation.formatThreshold(threshold.getKey()) + ": " + percent(threshold.getValue()), x + 4, TOP + 14 + 14 * index);
                index++;
            }

            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, LEFT, 24);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(subtitle, LEFT, 44);
        } finally {
            g.dispose();
        }
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".histogram", ".png");
        try {
            if (!ImageIO.write(image, "png", temp.toFile())) {
                throw new IOException("no PNG writer");
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    static String format(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * share);
    }
}
