package dev.lathe.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Node;

/** PNGs checked with an independent decoder (Java's ImageIO): pixels, and text chunks where A1111 (PIL) puts them. */
class PngFileTest {

    @TempDir
    Path dir;

    /** Noise, gradients and flat areas, so every PNG filter gets chosen somewhere. */
    static RgbImage testImage(int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                boolean noisy = (x / 7 + y / 5) % 3 == 0;
                pixels[i] = (byte) (noisy ? random.nextInt(256) : x * 255 / Math.max(1, width - 1));
                pixels[i + 1] = (byte) (noisy ? random.nextInt(256) : y * 255 / Math.max(1, height - 1));
                pixels[i + 2] = (byte) (noisy ? random.nextInt(256) : 77);
            }
        }
        return new RgbImage(width, height, pixels);
    }

    @Test
    void imageIoDecodesExactlyThePixelsWritten() throws Exception {
        for (int[] size : new int[][] {{1, 1}, {3, 2}, {64, 48}, {257, 31}}) {
            RgbImage image = testImage(size[0], size[1], size[0] * 31L + size[1]);
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(PngFile.encode(image, Map.of())));
            assertEquals(size[0], decoded.getWidth());
            assertEquals(size[1], decoded.getHeight());
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) {
                    assertEquals(image.rgb(x, y), decoded.getRGB(x, y) & 0xffffff, "pixel " + x + "," + y);
                }
            }
        }
    }

    @Test
    void textGoesIntoTextChunksBeforeTheImageData() throws Exception {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("parameters", "a cat, café\nSteps: 20, Seed: 1");
        text.put("comment", "猫 🐱");
        byte[] png = PngFile.encode(testImage(8, 8, 1), text);

        assertEquals(List.of("IHDR", "tEXt", "iTXt", "IDAT", "IEND"), chunkTypes(png),
                "Latin-1 text as tEXt, other text as iTXt (PIL's rule), all before IDAT");
        assertEquals(text, PngFile.readText(png, "test.png"));

        // ImageIO's PNG metadata sees the same chunks
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            IIOMetadata metadata = reader.getImageMetadata(0);
            Node root = metadata.getAsTree("javax_imageio_png_1.0");
            Map<String, String> seen = new LinkedHashMap<>();
            for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                for (Node entry = n.getFirstChild(); entry != null; entry = entry.getNextSibling()) {
                    if (entry.getNodeName().equals("tEXtEntry")) {
                        seen.put(attribute(entry, "keyword"), attribute(entry, "value"));
                    } else if (entry.getNodeName().equals("iTXtEntry")) {
                        seen.put(attribute(entry, "keyword"), attribute(entry, "text"));
                    }
                }
            }
            assertEquals(text, seen);
            reader.dispose();
        }
    }

    private static String attribute(Node node, String name) {
        return node.getAttributes().getNamedItem(name).getNodeValue();
    }

    @Test
    void theSameImageGivesTheSameBytesAndWritesAreAtomic() throws Exception {
        RgbImage image = testImage(40, 30, 7);
        Map<String, String> text = Map.of("parameters", "x");
        Path file = dir.resolve("sub/folder/out.png");
        PngFile.write(file, image, text);
        byte[] first = Files.readAllBytes(file);
        PngFile.write(file, testImage(40, 30, 7), text);
        assertArrayEquals(first, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
        assertEquals(text, PngFile.readText(file));
    }

    @Test
    void readsCompressedTextChunksOfOtherWriters() throws Exception {
        // ImageIO writes zTXt for compressed text; read it back through our reader
        BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
        IIOMetadata metadata = writer.getDefaultImageMetadata(new javax.imageio.ImageTypeSpecifier(image), param);
        javax.imageio.metadata.IIOMetadataNode root = new javax.imageio.metadata.IIOMetadataNode("javax_imageio_png_1.0");
        javax.imageio.metadata.IIOMetadataNode ztxt = new javax.imageio.metadata.IIOMetadataNode("zTXt");
        javax.imageio.metadata.IIOMetadataNode entry = new javax.imageio.metadata.IIOMetadataNode("zTXtEntry");
        entry.setAttribute("keyword", "parameters");
        entry.setAttribute("text", "compressed, text");
        entry.setAttribute("compressionMethod", "deflate");
        ztxt.appendChild(entry);
        root.appendChild(ztxt);
        metadata.mergeTree("javax_imageio_png_1.0", root);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(new javax.imageio.IIOImage(image, null, metadata));
        }
        assertEquals(Map.of("parameters", "compressed, text"), PngFile.readText(out.toByteArray(), "imageio.png"));
    }

    @Test
    void refusesWhatIsNotAPng() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> PngFile.readText("GIF89a...".getBytes(StandardCharsets.ISO_8859_1), "x.gif"));
        assertTrue(e.getMessage().contains("x.gif"));
        byte[] png = PngFile.encode(testImage(4, 4, 3), Map.of("parameters", "abc"));
        byte[] truncated = java.util.Arrays.copyOf(png, 45);
        assertThrows(InvalidInputException.class, () -> PngFile.readText(truncated, "cut.png"));
    }

    /** The chunk types of a PNG, in order. */
    static List<String> chunkTypes(byte[] png) {
        List<String> types = new ArrayList<>();
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(png);
        in.position(8);
        while (in.remaining() >= 12) {
            int length = in.getInt();
            byte[] type = new byte[4];
            in.get(type);
            types.add(new String(type, StandardCharsets.ISO_8859_1));
            in.position(in.position() + length + 4);
        }
        return types;
    }
}
