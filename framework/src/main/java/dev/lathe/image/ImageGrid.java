package dev.lathe.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An x/y comparison grid, as AUTOMATIC1111's X/Y plot draws one: images in rows and columns on a
 * white background, a label above every column and left of every row (e.g. LoRA strength × seed),
 * in black with the built-in {@link BitmapFont}.
 *
 * <p>Layout: every cell is as large as the largest image (smaller ones sit at the cell's top left);
 * cells are {@code gap} pixels apart. Text is drawn at a whole-number scale of the font, one font
 * pixel per 128 image pixels of the cell's shorter side (at least 1), so labels stay readable on
 * 512-pixel images. Labels are centred and wrapped at spaces to their box (the column's width; for
 * rows the cell's width, but at least 24 characters); longer words are broken; a {@code \n} starts
 * a new line.
 */
public final class ImageGrid {

    private static final int WHITE = 0xffffff;
    private static final int BLACK = 0x000000;
    private static final int MIN_ROW_LABEL_CHARS = 24;

    private ImageGrid() {
    }

    /**
     * The grid of {@code cells} (row by row, every row as long as {@code columnLabels}; a null cell
     * stays blank).
     *
     * @param rowLabels    one per row, or empty for no row labels
     * @param columnLabels one per column, or empty for no column labels
     */
    public static RgbImage compose(List<List<RgbImage>> cells, List<String> rowLabels, List<String> columnLabels) {
        Objects.requireNonNull(cells, "cells");
        int rows = cells.size();
        int columns = rows == 0 ? 0 : cells.get(0).size();
        if (rows == 0 || columns == 0) {
            throw new IllegalArgumentException("a grid needs at least one row and one column");
        }
        for (List<RgbImage> row : cells) {
            if (row.size() != columns) {
                throw new IllegalArgumentException("every row of a grid needs " + columns + " cells, one has " + row.size());
            }
        }
        if (!rowLabels.isEmpty() && rowLabels.size() != rows) {
            throw new IllegalArgumentException(rows + " rows but " + rowLabels.size() + " row labels");
        }
        if (!columnLabels.isEmpty() && columnLabels.size() != columns) {
            throw new IllegalArgumentException(columns + " columns but " + columnLabels.size() + " column labels");
        }
        int cellWidth = 1;
        int cellHeight = 1;
        for (List<RgbImage> row : cells) {
            for (RgbImage image : row) {
                if (image != null) {
                    cellWidth = Math.max(cellWidth, image.width());
                    cellHeight = Math.max(cellHeight, image.height());
                }
            }
        }
        int scale = Math.max(1, Math.min(cellWidth, cellHeight) / 128);
        int pad = 2 * scale;
        int gap = 2 * scale;
        int charWidth = BitmapFont.ADVANCE * scale;
        int lineHeight = BitmapFont.LINE_HEIGHT * scale;

        List<List<String>> columnLines = new ArrayList<>();
        int columnLabelLines = 0;
        for (String label : columnLabels) {
            List<String> lines = wrap(label, Math.max(1, (cellWidth + scale) / charWidth));
            columnLines.add(lines);
            columnLabelLines = Math.max(columnLabelLines, lines.size());
        }
        int rowLabelChars = Math.max(MIN_ROW_LABEL_CHARS, (cellWidth + scale) / charWidth);
        List<List<String>> rowLines = new ArrayList<>();
        int rowLabelWidth = 0;
        for (String label : rowLabels) {
            List<String> lines = wrap(label, rowLabelChars);
            rowLines.add(lines);
            for (String line : lines) {
                rowLabelWidth = Math.max(rowLabelWidth, BitmapFont.width(line, scale));
            }
        }
        int left = rowLabels.isEmpty() ? 0 : rowLabelWidth + 2 * pad;
        int top = columnLabels.isEmpty() ? 0 : columnLabelLines * lineHeight + 2 * pad;
        int width = left + columns * cellWidth + (columns - 1) * gap;
        int height = top + rows * cellHeight + (rows - 1) * gap;

        Canvas canvas = new Canvas(width, height, WHITE);
        for (int c = 0; c < columnLines.size(); c++) {
            List<String> lines = columnLines.get(c);
            int boxLeft = left + c * (cellWidth + gap);
            int y = pad + (columnLabelLines - lines.size()) * lineHeight; // bottom-aligned above the images
            for (String line : lines) {
                canvas.text(line, boxLeft + (cellWidth - BitmapFont.width(line, scale)) / 2, y, scale, BLACK);
                y += lineHeight;
            }
        }
        for (int r = 0; r < rowLines.size(); r++) {
            List<String> lines = rowLines.get(r);
            int boxTop = top + r * (cellHeight + gap);
            int y = boxTop + (cellHeight - lines.size() * lineHeight) / 2;
            for (String line : lines) {
                canvas.text(line, pad + (rowLabelWidth - BitmapFont.width(line, scale)) / 2, y, scale, BLACK);
                y += lineHeight;
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                RgbImage image = cells.get(r).get(c);
                if (image != null) {
                    canvas.draw(image, left + c * (cellWidth + gap), top + r * (cellHeight + gap));
                }
            }
        }
        return canvas.toImage();
    }

    /** {@code text} in lines of at most {@code maxChars} characters, broken at spaces where possible. */
    static List<String> wrap(String text, int maxChars) {
        List<String> lines = new ArrayList<>();
        for (String paragraph : text.split("\n", -1)) {
            StringBuilder line = new StringBuilder();
            for (String word : paragraph.trim().split(" +")) {
                while (word.length() > maxChars) {
                    if (line.length() > 0) {
                        lines.add(line.toString());
                        line.setLength(0);
                    }
                    lines.add(word.substring(0, maxChars));
                    word = word.substring(maxChars);
                }
                if (line.length() > 0 && line.length() + 1 + word.length() > maxChars) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                if (line.length() > 0) {
                    line.append(' ');
                }
                line.append(word);
            }
            lines.add(line.toString());
        }
        return lines;
    }
}
