package dev.lathe.train.log;

import dev.lathe.api.InvalidInputException;
import dev.lathe.framework.internal.io.AtomicFiles;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code loss.csv}: one row per optimizer step, for spreadsheets and scripts. The columns are
 * {@value #HEADER}:
 * <ul>
 * <li>{@code step}: the optimizer step, counting from 1 (TensorBoard's x axis);
 * <li>{@code epoch}: the epoch the step belongs to, counting from 1;
 * <li>{@code loss}: the step's loss;
 * <li>{@code avg_loss}: the running average kohya-ss shows ({@code avr_loss}) and logs as
 *     {@code loss/average};
 * <li>{@code lr_unet}, {@code lr_te}: the learning rates the UNet and the text encoder were
 *     trained with at that step, empty when that part is not trained.
 * </ul>
 * Numbers are written as Java writes a {@code double} ({@code 0.1234}, {@code 1.0E-4}), with a
 * dot whatever the locale; spreadsheets and pandas read both forms.
 *
 * <p>Each row is written and flushed as it is appended, so a killed run keeps every step it took.
 * On resume ({@link #resume}) the rows past the step the run resumes from, which the resumed run
 * will take again, are dropped together with a last line cut off by the kill.
 */
public final class LossCsv implements Closeable {

    /** The header line. */
    public static final String HEADER = "step,epoch,loss,avg_loss,lr_unet,lr_te";

    private static final int COLUMNS = HEADER.split(",").length;

    /** One step's row; a null learning rate is a part that is not trained (an empty cell). */
    public record Row(long step, int epoch, double loss, double averageLoss, Double lrUnet, Double lrTextEncoder) {
    }

    private final Path file;
    private final Writer out;
    private final int droppedOnResume;

    private LossCsv(Path file, Writer out, int droppedOnResume) {
        this.file = file;
        this.out = out;
        this.droppedOnResume = droppedOnResume;
    }

    /** A new file with only the header, replacing one that exists (a run started over). */
    public static LossCsv create(Path file) throws IOException {
        AtomicFiles.write(file, stream -> stream.write((HEADER + "\n").getBytes(StandardCharsets.UTF_8)));
        return append(file, 0);
    }

    /**
     * Continues the file of a run that resumes after {@code lastSavedStep}: keeps the header and
     * the rows up to that step, drops later rows (the killed run logged steps it never saved) and
     * a cut-off last line, and appends after them. A file that does not exist is created.
     *
     * @throws InvalidInputException when the file exists but is not a loss CSV of this layout
     */
    public static LossCsv resume(Path file, long lastSavedStep) throws IOException {
        if (!Files.exists(file)) {
            return create(file);
        }
        String content = Files.readString(file, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(List.of(content.split("\n", -1)));
        if (lines.isEmpty() || !lines.get(0).strip().equals(HEADER)) {
            throw new InvalidInputException("The loss log " + file + " does not start with the header " + HEADER
                    + ", so it was not written by this version of Lathe and resuming cannot continue it. Move it away"
                    + " (a new one is then started) and resume again.");
        }
        // The text after the last newline is empty, or a row the kill cut off.
        boolean cutOff = !lines.get(lines.size() - 1).isEmpty();
        lines.remove(lines.size() - 1);
        List<String> kept = new ArrayList<>();
        int dropped = cutOff ? 1 : 0;
        for (String line : lines.subList(1, lines.size())) {
            Long step = stepOf(line);
            if (step != null && step <= lastSavedStep) {
                kept.add(line);
            } else {
                dropped++;
            }
        }
        if (dropped > 0) {
            StringBuilder rewritten = new StringBuilder(HEADER).append('\n');
            kept.forEach(line -> rewritten.append(line).append('\n'));
            AtomicFiles.write(file, stream -> stream.write(rewritten.toString().getBytes(StandardCharsets.UTF_8)));
        }
        return append(file, dropped);
    }

    private static LossCsv append(Path file, int dropped) throws IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(
                Files.newOutputStream(file, StandardOpenOption.APPEND, StandardOpenOption.WRITE), StandardCharsets.UTF_8));
        return new LossCsv(file, writer, dropped);
    }

    /** The step of a complete row, or null for a line that is not one. */
    private static Long stepOf(String line) {
        String[] cells = line.split(",", -1);
        if (cells.length != COLUMNS) {
            return null;
        }
        try {
            Long.parseLong(cells[1]);
            for (int i = 2; i < 4; i++) {
                Double.parseDouble(cells[i]);
            }
            return Long.parseLong(cells[0]);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The file written. */
    public Path file() {
        return file;
    }

    /** How many rows (and cut-off lines) {@link #resume} dropped; 0 for a new file. */
    public int droppedOnResume() {
        return droppedOnResume;
    }

    /** Appends a row and flushes it to the file. */
    public void append(Row row) throws IOException {
        out.write(row.step() + "," + row.epoch() + "," + row.loss() + "," + row.averageLoss() + ","
                + cell(row.lrUnet()) + "," + cell(row.lrTextEncoder()) + "\n");
        out.flush();
    }

    private static String cell(Double value) {
        return value == null ? "" : value.toString();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
