package dev.lathe.dataset;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Small images and caption files written by tests. */
final class TestImages {

    private TestImages() {
    }

    /** A PNG whose pixels vary with position and {@code salt} (so flips and crops are visible). */
    static Path png(Path file, int width, int height, int salt) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (x * 255 / Math.max(1, width - 1) + salt) & 0xFF;
                int g = (y * 255 / Math.max(1, height - 1)) & 0xFF;
                int b = ((x + 3 * y) * 7 + salt * 13) & 0xFF;
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        try {
            Files.createDirectories(file.getParent());
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static Path text(Path file, String content) {
        return bytes(file, content.getBytes(StandardCharsets.UTF_8));
    }

    static Path bytes(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
