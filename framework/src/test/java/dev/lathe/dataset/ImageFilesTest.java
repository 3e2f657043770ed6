package dev.lathe.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {

    @TempDir
    Path dir;

    @Test
    void webpIsReadable() {
        assertTrue(ImageFiles.readableFormats().contains("webp"), ImageFiles.readableFormats().toString());
    }

    @Test
    void losslessWebpDecodesExactly() throws IOException {
        RgbImage png = References.image("source_37x29.png");
        Path webp = References.path("source_37x29_lossless.webp");
        assertEquals(new Resolution(37, 29), ImageFiles.readSize(webp));
        assertEquals(0, References.maxDifference(png, ImageFiles.read(webp)));
    }

    @Test
    void lossyWebpDecodesCloseToLibwebp() throws IOException {
        RgbImage libwebp = References.image("source_37x29_lossy_decoded.png");
        RgbImage ours = ImageFiles.read(References.path("source_37x29_lossy.webp"));
        // TwelveMonkeys' VP8 decoder is not bit-exact with libwebp (what Pillow and kohya use): measured
        // mean |difference| 7.0 on this noisy 37x29 image at quality 80, 3.1-4.5 per channel on a smooth
        // 256x192 gradient at quality 90. A swapped channel or a misread color model gives 40 and more.
        double mean = 0;
        for (int i = 0; i < ours.rgb().length; i++) {
            mean += Math.abs((ours.rgb()[i] & 0xFF) - (libwebp.rgb()[i] & 0xFF));
        }
        mean /= ours.rgb().length;
        assertTrue(mean < 8, "mean absolute difference " + mean);
    }

    @Test
    void grayAndAlphaImagesAsPillowConvertsThem() throws IOException {
        BufferedImage gray = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(1, 2, 0, 37);
        gray.getRaster().setSample(3, 0, 0, 200);
        Path grayFile = dir.resolve("gray.png");
        ImageIO.write(gray, "png", grayFile.toFile());
        RgbImage g = ImageFiles.read(grayFile);
        // Pillow's L -> RGB repeats the value; Java's getRGB would gamma-convert it (37 -> 103).
        assertEquals(37, g.get(1, 2, 0));
        assertEquals(37, g.get(1, 2, 2));
        assertEquals(200, g.get(3, 0, 1));

        BufferedImage rgba = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(1, 1, 0x10_20_30_40); // alpha 16: Pillow's convert("RGB") just drops it
        Path rgbaFile = dir.resolve("alpha.png");
        ImageIO.write(rgba, "png", rgbaFile.toFile());
        RgbImage a = ImageFiles.read(rgbaFile);
        assertEquals(0x20, a.get(1, 1, 0));
        assertEquals(0x30, a.get(1, 1, 1));
        assertEquals(0x40, a.get(1, 1, 2));
    }

    @Test
    void jpegIsReadAsDecoded() throws IOException {
        BufferedImage image = new BufferedImage(16, 8, BufferedImage.TYPE_3BYTE_BGR);
        for (int x = 0; x < 16; x++) {
            for (int y = 0; y < 8; y++) {
                image.setRGB(x, y, 0x808080);
            }
        }
        Path file = dir.resolve("flat.jpg");
        ImageIO.write(image, "jpg", file.toFile());
        RgbImage read = ImageFiles.read(file);
        assertEquals(new Resolution(16, 8), ImageFiles.readSize(file));
        assertTrue(Math.abs(read.get(5, 5, 0) - 128) <= 1);
    }

    @Test
    void garbageIsACorruptImage() throws IOException {
        Path file = dir.resolve("noise.png");
        Files.write(file, "this is not a picture at all".getBytes());
        ImageFiles.CorruptImageException e = assertThrows(ImageFiles.CorruptImageException.class,
                () -> ImageFiles.readSize(file));
        assertTrue(e.getMessage().contains("not a PNG, JPEG, WebP or BMP"), e.getMessage());
    }

    @Test
    void truncatedPngAndJpegFailToDecode() throws IOException {
        BufferedImage image = new BufferedImage(256, 256, BufferedImage.TYPE_3BYTE_BGR);
        for (int x = 0; x < 256; x++) {
            for (int y = 0; y < 256; y++) {
                image.setRGB(x, y, x << 16 | y << 8 | (x ^ y));
            }
        }
        for (String format : new String[] {"png", "jpg"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, format, out);
            byte[] whole = out.toByteArray();
            Path file = dir.resolve("cut." + format);
            Files.write(file, Arrays.copyOf(whole, whole.length / 2));
            assertEquals(new Resolution(256, 256), ImageFiles.readSize(file), "the header survives");
            ImageFiles.CorruptImageException e = assertThrows(ImageFiles.CorruptImageException.class,
                    () -> ImageFiles.read(file), format);
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("cannot be decoded"),
                    e.getMessage());
        }
    }
}
