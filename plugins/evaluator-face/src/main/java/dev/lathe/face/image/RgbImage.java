package dev.lathe.face.image;

import dev.lathe.api.InvalidInputException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * An 8-bit RGB image: interleaved R, G, B bytes, row-major, top row first. The networks see
 * these values as floats in 0…255 (never BGR, never 0…1) until their own normalization.
 */
public final class RgbImage {

    private final int width;
    private final int height;
    private final byte[] rgb;

    public RgbImage(int width, int height, byte[] rgb) {
        if (width <= 0 || height <= 0 || rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs " + 3L * width * height
                    + " bytes, got " + rgb.length);
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /**
     * Decodes an image file with {@code javax.imageio} (JPEG, PNG, BMP, GIF), dropping any alpha
     * channel. ImageIO's JPEG decoder gives the same pixels as libjpeg-turbo's defaults, which is
     * what the face fixtures were made from.
     *
     * @throws InvalidInputException when the file is missing or not an image ImageIO can read
     */
    public static RgbImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("The image " + file + " does not exist or is not a file.");
        }
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException("Cannot read the image " + file + ": " + e.getMessage()
                    + ". The file is damaged or not a JPEG, PNG, BMP or GIF image.", e);
        }
        if (image == null) {
            throw new InvalidInputException("Cannot read the image " + file + ": it is not in a format Java can decode"
                    + " (JPEG, PNG, BMP or GIF). Convert it or remove it from the folder.");
        }
        return of(image);
    }

    /**
     * Decodes several files as {@link #read} does, in parallel: a large JPEG takes as long to
     * decode as its faces take to analyse.
     */
    public static List<RgbImage> readAll(List<Path> files) {
        return files.parallelStream().map(RgbImage::read).toList();
    }

    /** The RGB bytes of a decoded image, as {@link BufferedImage#getRGB} gives them. */
    public static RgbImage of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[3 * w * h];
        if (isPlainBgr(image)) {
            // What ImageIO makes of a colour JPEG: for it getRGB returns these bytes, in another
            // order, 15x slower.
            byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < rgb.length; i += 3) {
                rgb[i] = bgr[i + 2];
                rgb[i + 1] = bgr[i + 1];
                rgb[i + 2] = bgr[i];
            }
            return new RgbImage(w, h, rgb);
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            int o = 3 * y * w;
            for (int argb : row) {
                rgb[o++] = (byte) (argb >> 16);
                rgb[o++] = (byte) (argb >> 8);
                rgb[o++] = (byte) argb;
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /** A {@code TYPE_3BYTE_BGR} image whose raster is exactly its pixels, row after row. */
    private static boolean isPlainBgr(BufferedImage image) {
        if (image.getType() != BufferedImage.TYPE_3BYTE_BGR || !(image.getRaster().getDataBuffer() instanceof DataBufferByte buffer)
                || !(image.getRaster().getSampleModel() instanceof PixelInterleavedSampleModel model)) {
            return false;
        }
        return image.getRaster().getParent() == null && buffer.getNumBanks() == 1 && buffer.getOffset() == 0
                && model.getPixelStride() == 3 && model.getScanlineStride() == 3 * image.getWidth()
                && buffer.getData().length == 3 * image.getWidth() * image.getHeight()
                && image.getColorModel().getColorSpace().isCS_sRGB();
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Channel {@code c} (0 R, 1 G, 2 B) of pixel (x, y), 0…255. */
    public int value(int x, int y, int c) {
        return rgb[3 * (y * width + x) + c] & 0xff;
    }

    /** The underlying interleaved bytes (not a copy: do not modify). */
    byte[] bytes() {
        return rgb;
    }

    /** The pixels of an integer region, which must lie inside the image. */
    public RgbImage crop(IntBox box) {
        if (box.x() < 0 || box.y() < 0 || box.width() <= 0 || box.height() <= 0
                || box.x() + box.width() > width || box.y() + box.height() > height) {
            throw new IllegalArgumentException(box + " is not inside a " + width + "x" + height + " image");
        }
        byte[] out = new byte[3 * box.width() * box.height()];
        for (int y = 0; y < box.height(); y++) {
            System.arraycopy(rgb, 3 * ((box.y() + y) * width + box.x()), out, 3 * y * box.width(), 3 * box.width());
        }
        return new RgbImage(box.width(), box.height(), out);
    }

    /** SHA-256 of the interleaved RGB bytes, as the fixtures' {@code rgbSha256}. */
    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rgb));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** As a {@link BufferedImage}, e.g. to write it as PNG. */
    public BufferedImage toBufferedImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = 3 * (y * width + x);
                row[x] = (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | (rgb[i + 2] & 0xff);
            }
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }
}
