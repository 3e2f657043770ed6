package dev.lathe.dataset;

import dev.lathe.api.InvalidInputException;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.color.ColorSpace;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads training images (PNG, JPEG, WebP, BMP) into {@link RgbImage}s the way kohya's
 * {@code load_image} does with Pillow: {@code Image.open(path).convert("RGB")}. The decoded
 * samples are taken as they are, so an embedded color profile is ignored (as Pillow does) and
 * gray images are repeated into three channels; alpha is dropped without compositing; 16-bit
 * samples keep their high byte. EXIF orientation is not applied (Pillow does not either).
 *
 * <p><b>WebP.</b> The JDK has no WebP reader; TwelveMonkeys' pure-Java {@code imageio-webp}
 * provides one. Java's ImageIO finds plug-ins through the thread's context class loader, which
 * inside OSGi is not the class path where the launcher puts the plug-in jars, so every
 * {@link ImageReaderSpi} visible from the system class loader (and from this bundle) is registered
 * explicitly before the first read.
 *
 * <p><b>Damaged files</b> throw {@link CorruptImageException}: no reader for the content, a header
 * or pixel data that cannot be decoded, or a JPEG that ends early (the JDK only warns about that
 * and returns a gray-filled image; Pillow raises "image file is truncated").
 */
public final class ImageFiles {

    private static final Logger LOG = LoggerFactory.getLogger(ImageFiles.class);

    static {
        registerPlugins(); // once, before the first read: class initialization runs it
    }

    private ImageFiles() {
    }

    /** An image file that cannot be read as an image; the message says why. */
    public static final class CorruptImageException extends IOException {
        private static final long serialVersionUID = 1L;

        public CorruptImageException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The image formats ImageIO can read here, by format name (lower case): includes {@code webp} when the plug-in is present. */
    public static List<String> readableFormats() {
        List<String> formats = new ArrayList<>();
        for (String name : ImageIO.getReaderFormatNames()) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (!formats.contains(lower)) {
                formats.add(lower);
            }
        }
        return formats;
    }

    /** The image's size from its header, without decoding the pixels. */
    public static Resolution readSize(Path file) throws CorruptImageException {
        return readSize(file, readBytes(file));
    }

    static Resolution readSize(Path file, byte[] bytes) throws CorruptImageException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = readerFor(file, in);
            try {
                reader.setInput(in, true, true);
                return new Resolution(reader.getWidth(0), reader.getHeight(0));
            } finally {
                reader.dispose();
            }
        } catch (CorruptImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CorruptImageException("its header cannot be read (" + describe(e) + ")", e);
        }
    }

    /** Decodes the whole image to 8-bit RGB. */
    public static RgbImage read(Path file) throws CorruptImageException {
        return decode(file, readBytes(file));
    }

    /** Decodes {@code bytes}, the content of {@code file}, to 8-bit RGB. */
    public static RgbImage decode(Path file, byte[] bytes) throws CorruptImageException {
        BufferedImage image;
        List<String> truncation = new ArrayList<>();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = readerFor(file, in);
            try {
                reader.addIIOReadWarningListener(warningsOf(file, truncation));
                reader.setInput(in, true, true);
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (CorruptImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CorruptImageException("its image data cannot be decoded (" + describe(e) + ")", e);
        }
        if (!truncation.isEmpty()) {
            throw new CorruptImageException("it is truncated (" + truncation.get(0) + ")", null);
        }
        return toRgb(image);
    }

    /** The message for a user: which file, what is wrong, what to do. */
    static String problem(Path file, CorruptImageException e) {
        return file + ": " + e.getMessage();
    }

    private static byte[] readBytes(Path file) throws CorruptImageException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CorruptImageException("it cannot be read (" + describe(e) + ")", e);
        }
    }

    private static ImageReader readerFor(Path file, ImageInputStream in) throws CorruptImageException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new CorruptImageException("its content is not a PNG, JPEG, WebP or BMP image this build can read"
                    + " (damaged, or another format under an image extension)", null);
        }
        return readers.next();
    }

    private static IIOReadWarningListener warningsOf(Path file, List<String> truncation) {
        return (source, warning) -> {
            String lower = warning.toLowerCase(java.util.Locale.ROOT);
            if (lower.contains("premature end") || lower.contains("truncat")) {
                truncation.add(warning);
            } else {
                LOG.warn("{}: the image decoder warns: {}", file, warning);
            }
        };
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    static RgbImage toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[w * h * 3];
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        int transfer = raster.getTransferType();
        boolean component = model instanceof ComponentColorModel
                && (transfer == DataBuffer.TYPE_BYTE || transfer == DataBuffer.TYPE_USHORT);
        int spaceType = model.getColorSpace().getType();
        if (component && spaceType == ColorSpace.TYPE_RGB && bands >= 3) {
            copySamples(raster, rgb, new int[] {0, 1, 2}, transfer == DataBuffer.TYPE_USHORT);
        } else if (component && spaceType == ColorSpace.TYPE_GRAY && bands >= 1) {
            copySamples(raster, rgb, new int[] {0, 0, 0}, transfer == DataBuffer.TYPE_USHORT);
        } else {
            // Palette images (palette entries are the colors Pillow shows), packed-int and other models.
            boolean palette = model instanceof IndexColorModel;
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int argb = row[x];
                    int o = (y * w + x) * 3;
                    rgb[o] = (byte) (argb >> 16);
                    rgb[o + 1] = (byte) (argb >> 8);
                    rgb[o + 2] = (byte) argb;
                }
            }
            if (!palette) {
                LOG.debug("decoded through getRGB (color model {})", model);
            }
        }
        return new RgbImage(w, h, rgb);
    }

    private static void copySamples(Raster raster, byte[] rgb, int[] bandOf, boolean sixteenBit) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int[] samples = new int[w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, bandOf[c], samples);
                for (int x = 0; x < w; x++) {
                    int v = sixteenBit ? samples[x] >>> 8 : samples[x];
                    rgb[(y * w + x) * 3 + c] = (byte) v;
                }
            }
        }
    }

    private static void registerPlugins() {
        IIORegistry registry = IIORegistry.getDefaultInstance();
        for (ClassLoader loader : new ClassLoader[] {ClassLoader.getSystemClassLoader(),
                ImageFiles.class.getClassLoader()}) {
            if (loader == null) {
                continue;
            }
            try {
                for (ImageReaderSpi spi : ServiceLoader.load(ImageReaderSpi.class, loader)) {
                    registry.registerServiceProvider(spi, ImageReaderSpi.class);
                }
            } catch (ServiceConfigurationError e) {
                LOG.warn("An ImageIO plug-in on the class path could not be loaded: {}", e.getMessage());
            }
        }
    }

    /** Turns a read failure into the user-facing error for a dataset. */
    static InvalidInputException invalid(List<String> problems, String context) {
        StringBuilder message = new StringBuilder();
        message.append(problems.size() == 1 ? "An image " : problems.size() + " images ").append(context)
                .append(problems.size() == 1 ? " cannot be read: " : " cannot be read: ");
        int shown = Math.min(problems.size(), 10);
        message.append(String.join("; ", problems.subList(0, shown)));
        if (problems.size() > shown) {
            message.append("; and ").append(problems.size() - shown).append(" more");
        }
        message.append(". kohya-ss stops on such files too: replace each with a good copy or delete it"
                + " (and its caption file), then run again.");
        return new InvalidInputException(message.toString());
    }
}
