package dev.lathe.render;

import dev.lathe.image.PngFile;
import dev.lathe.image.RgbImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A rendered image and the parameters it was made with.
 *
 * @param image      the pixels
 * @param parameters what made them, as the PNG's {@code parameters} chunk records it
 */
public record RenderedImage(RgbImage image, GenerationParameters parameters) {

    /** The PNG text chunk that holds A1111's generation parameters. */
    public static final String PARAMETERS_CHUNK = "parameters";

    /** Writes the image as a PNG with its {@code parameters} chunk, atomically; returns {@code file}. */
    public Path write(Path file) throws IOException {
        PngFile.write(file, image, Map.of(PARAMETERS_CHUNK, parameters.toInfotext()));
        return file;
    }

    /** The PNG bytes {@link #write} writes. */
    public byte[] png() {
        return PngFile.encode(image, Map.of(PARAMETERS_CHUNK, parameters.toInfotext()));
    }

    /**
     * The generation parameters in a PNG file Lathe or A1111 wrote.
     *
     * @throws dev.lathe.api.InvalidInputException when it is not a PNG, has no {@code parameters}
     *     chunk, or the chunk lacks the essential settings
     */
    public static GenerationParameters readParameters(Path png) throws IOException {
        String text = PngFile.readText(png).get(PARAMETERS_CHUNK);
        if (text == null) {
            throw new dev.lathe.api.InvalidInputException(png + " has no \"" + PARAMETERS_CHUNK + "\" text chunk, so "
                    + "it does not say how it was generated (AUTOMATIC1111 and Lathe write one into every image).");
        }
        return GenerationParameters.fromInfotext(text);
    }
}
