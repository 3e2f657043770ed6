package dev.lathe.render;

import dev.lathe.image.ImageGrid;
import dev.lathe.image.PngFile;
import dev.lathe.image.RgbImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An x/y comparison grid of rendered images written as a PNG, with a {@code parameters} chunk as
 * AUTOMATIC1111's X/Y plot writes one: the first image's parameters plus {@code X Type},
 * {@code X Values}, {@code Y Type} and {@code Y Values} naming the axes. Axis values are one CSV
 * line, as the X/Y plot reads and writes them: a label with a comma or a quote is quoted.
 */
public final class GridImage {

    private GridImage() {
    }

    /**
     * Writes the grid of {@code cells} (rows of equal length; null cells stay blank) to {@code file} atomically.
     *
     * @param xType        what varies along a row, e.g. {@code Seed}
     * @param columnLabels one label per column
     * @param yType        what varies down a column, e.g. {@code LoRA}
     * @param rowLabels    one label per row
     * @return the grid's parameters as written
     */
    public static GenerationParameters write(Path file, List<List<RenderedImage>> cells, String xType,
            List<String> columnLabels, String yType, List<String> rowLabels) throws IOException {
        List<List<RgbImage>> images = new ArrayList<>();
        RenderedImage first = null;
        for (List<RenderedImage> row : cells) {
            List<RgbImage> imageRow = new ArrayList<>();
            for (RenderedImage cell : row) {
                imageRow.add(cell == null ? null : cell.image());
                if (first == null && cell != null) {
                    first = cell;
                }
            }
            images.add(imageRow);
        }
        if (first == null) {
            throw new IllegalArgumentException("a grid needs at least one image");
        }
        GenerationParameters parameters = first.parameters()
                .withExtra("X Type", xType).withExtra("X Values", axisValues(columnLabels))
                .withExtra("Y Type", yType).withExtra("Y Values", axisValues(rowLabels));
        RgbImage grid = ImageGrid.compose(images, rowLabels, columnLabels);
        PngFile.write(file, grid, Map.of(RenderedImage.PARAMETERS_CHUNK, parameters.toInfotext()));
        return parameters;
    }

    /** The labels as one CSV line joined with {@code ", "}; a label with {@code ,} or {@code "} in double quotes. */
    static String axisValues(List<String> labels) {
        List<String> values = new ArrayList<>();
        for (String label : labels) {
            values.add(label.contains(",") || label.contains("\"") ? "\"" + label.replace("\"", "\"\"") + "\"" : label);
        }
        return String.join(", ", values);
    }
}
