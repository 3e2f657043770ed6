package dev.lathe.distribution;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.lathe.dataset.ImageFiles;
import dev.lathe.dataset.RgbImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * WebP dataset images inside Felix: the TwelveMonkeys reader lives in the distribution's
 * {@code lib/} (the class path), where ImageIO's own discovery through the thread context class
 * loader does not look from a bundle; {@code dev.lathe.dataset.ImageFiles} must register it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DatasetImagesIT {

    @Configuration
    public Option[] config() {
        return LatheContainer.options();
    }

    @Test
    public void webpReaderIsOnTheClassPathAndRegisteredFromTheFrameworkBundle() throws Exception {
        try (Stream<Path> lib = Files.list(LatheContainer.distribution().resolve("lib"))) {
            assertTrue("lib/ holds the WebP reader", lib.anyMatch(p -> p.getFileName().toString()
                    .startsWith("imageio-webp-")));
        }
        // Forget any WebP reader this JVM registered before (the test class path has one), and hide
        // the class path from ImageIO's own discovery: only ImageFiles' registration can bring it back.
        IIORegistry registry = IIORegistry.getDefaultInstance();
        List<ImageReaderSpi> webp = new ArrayList<>();
        Iterator<ImageReaderSpi> readers = registry.getServiceProviders(ImageReaderSpi.class, true);
        while (readers.hasNext()) {
            ImageReaderSpi spi = readers.next();
            if (List.of(spi.getFormatNames()).stream().anyMatch(n -> n.equalsIgnoreCase("webp"))) {
                webp.add(spi);
            }
        }
        webp.forEach(spi -> registry.deregisterServiceProvider(spi, ImageReaderSpi.class));
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ImageFiles.class.getClassLoader());
        try {
            assertTrue(ImageFiles.readableFormats().toString(), ImageFiles.readableFormats().contains("webp"));
            Path folder = Paths.get(System.getProperty("lathe.test.resources", "src/test/resources"), "dataset");
            RgbImage decoded = ImageFiles.read(folder.resolve("source_37x29_lossless.webp"));
            RgbImage png = ImageFiles.read(folder.resolve("source_37x29.png"));
            assertEquals(37, decoded.width());
            assertEquals(29, decoded.height());
            assertArrayEquals(png.rgb(), decoded.rgb());
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
