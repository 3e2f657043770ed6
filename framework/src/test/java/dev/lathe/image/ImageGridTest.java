package dev.lathe.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Grid layout: where cells and labels go. */
class ImageGridTest {

    private static final int WHITE = 0xffffff;

    private static RgbImage solid(int rgb) {
        return RgbImage.filled(16, 12, rgb);
    }

    @Test
    void placesEveryCellInItsRowAndColumnBesideItsLabels() {
        int[][] colours = {{0x102030, 0x405060, 0x708090}, {0xa0b0c0, 0xd0e0f0, 0x123456}};
        List<List<RgbImage>> cells = List.of(
                List.of(solid(colours[0][0]), solid(colours[0][1]), solid(colours[0][2])),
                List.of(solid(colours[1][0]), solid(colours[1][1]), solid(colours[1][2])));
        RgbImage grid = ImageGrid.compose(cells, List.of("0", "0.5"), List.of("1", "2", "3"));

        int scale = 1; // cells under 128 pixels: font scale 1
        int pad = 2 * scale;
        int gap = 2 * scale;
        int rowLabelWidth = BitmapFont.width("0.5", scale);
        int left = rowLabelWidth + 2 * pad;
        int top = BitmapFont.LINE_HEIGHT * scale + 2 * pad;
        assertEquals(left + 3 * 16 + 2 * gap, grid.width());
        assertEquals(top + 2 * 12 + gap, grid.height());
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 3; c++) {
                int x = left + c * (16 + gap);
                int y = top + r * (12 + gap);
                assertEquals(colours[r][c], grid.rgb(x, y), "cell " + r + "," + c + " top left");
                assertEquals(colours[r][c], grid.rgb(x + 15, y + 11), "cell " + r + "," + c + " bottom right");
            }
        }
        assertEquals(WHITE, grid.rgb(left + 16, top), "the gap between columns is background");
        assertTrue(inkIn(grid, 0, top, left, 12) > 0, "the first row's label is drawn left of it");
        assertTrue(inkIn(grid, left, 0, 16, top) > 0, "the first column's label is drawn above it");
        assertEquals(0, inkIn(grid, 0, 0, left, top), "nothing in the corner");
    }

    @Test
    void labelsAreOptionalAndFontScalesWithTheCells() {
        RgbImage bare = ImageGrid.compose(List.of(List.of(solid(1), solid(2))), List.of(), List.of());
        assertEquals(16 * 2 + 2, bare.width());
        assertEquals(12, bare.height());

        RgbImage big = RgbImage.filled(256, 256, 0x808080);
        RgbImage grid = ImageGrid.compose(List.of(List.of(big)), List.of(), List.of("seed 1"));
        int scale = 2;
        assertEquals(BitmapFont.LINE_HEIGHT * scale + 4 * scale + 256, grid.height());
    }

    @Test
    void wrapsLongLabelsAtSpacesAndBreaksLongWords() {
        assertEquals(List.of("strength", "0.5"), ImageGrid.wrap("strength 0.5", 10));
        assertEquals(List.of("abcde", "fgh x"), ImageGrid.wrap("abcdefgh x", 5));
        assertEquals(List.of("abcde", "fgh", "xyz"), ImageGrid.wrap("abcdefgh xyz", 5));
        assertEquals(List.of("one", "two"), ImageGrid.wrap("one\ntwo", 20));
    }

    @Test
    void refusesRaggedGridsAndMismatchedLabels() {
        assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.compose(List.of(List.of(solid(1)), List.of(solid(1), solid(2))), List.of(), List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> ImageGrid.compose(List.of(List.of(solid(1))), List.of("a", "b"), List.of()));
    }

    @Test
    void everyPrintableAsciiCharacterHasItsOwnGlyph() {
        java.util.Set<String> shapes = new java.util.HashSet<>();
        for (char c = 32; c < 127; c++) {
            assertTrue(BitmapFont.canDraw(c), "no glyph for '" + c + "'");
            StringBuilder bits = new StringBuilder();
            for (int y = 0; y < BitmapFont.GLYPH_HEIGHT; y++) {
                for (int x = 0; x < BitmapFont.GLYPH_WIDTH; x++) {
                    bits.append(BitmapFont.pixel(c, x, y) ? '#' : '.');
                }
            }
            assertTrue(shapes.add(bits.toString()) || c == 'l' || c == '|', "'" + c + "' looks like another character");
        }
        assertTrue(!BitmapFont.canDraw('é'));
    }

    private static int inkIn(RgbImage image, int x0, int y0, int width, int height) {
        int ink = 0;
        for (int y = y0; y < y0 + height; y++) {
            for (int x = x0; x < x0 + width; x++) {
                if (image.rgb(x, y) == 0) {
                    ink++;
                }
            }
        }
        return ink;
    }
}
