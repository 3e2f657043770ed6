package dev.lathe.train.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A training run's logs: a TensorBoard event file and {@code loss.csv}, written per step and per
 * epoch under the tag names kohya-ss/sd-scripts uses ({@code train_network.py}), so the charts
 * practitioners know appear where they expect them:
 * <ul>
 * <li>per step, at x = the optimizer step (from 1): {@value #LOSS_CURRENT}, {@value #LOSS_AVERAGE},
 *     {@value #LR_UNET} and {@value #LR_TEXT_ENCODER} (each learning rate only when that part
 *     trains);
 * <li>per epoch, at x = the epoch number (from 1), as kohya-ss logs it: {@value #LOSS_EPOCH}.
 * </ul>
 * The event file is flushed at the end of every epoch and on close, the CSV after every step.
 */
public final class TrainingLog implements Closeable {

    /** The step's loss. */
    public static final String LOSS_CURRENT = "loss/current";
    /** The running average loss (kohya's {@code avr_loss}). */
    public static final String LOSS_AVERAGE = "loss/average";
    /** The average loss of an epoch, logged at x = the epoch number. */
    public static final String LOSS_EPOCH = "loss/epoch";
    /** The UNet's learning rate. */
    public static final String LR_UNET = "lr/unet";
    /** The text encoder's learning rate. */
    public static final String LR_TEXT_ENCODER = "lr/textencoder";

    private final TensorBoardWriter events;
    private final LossCsv csv;

    private TrainingLog(TensorBoardWriter events, LossCsv csv) {
        this.events = events;
        this.csv = csv;
    }

    /** The logs of a run that starts: a new event file in {@code tensorBoardDir}, a new {@code csvFile}. */
    public static TrainingLog start(Path tensorBoardDir, Path csvFile) throws IOException {
        return open(tensorBoardDir, csvFile, LossCsv.create(csvFile), -1, Clock.systemUTC());
    }

    /**
     * The logs of a run that resumes from the state saved after {@code lastSavedStep}: a new event
     * file that starts with a restart marker at the next step (TensorBoard then hides what the
     * interrupted run logged from that step on), and the CSV truncated after {@code lastSavedStep}
     * ({@link LossCsv#resume}).
     */
    public static TrainingLog resume(Path tensorBoardDir, Path csvFile, long lastSavedStep) throws IOException {
        return open(tensorBoardDir, csvFile, LossCsv.resume(csvFile, lastSavedStep), lastSavedStep, Clock.systemUTC());
    }

    static TrainingLog open(Path tensorBoardDir, Path csvFile, LossCsv csv, long resumedAfter, Clock clock)
            throws IOException {
        TensorBoardWriter events;
        try {
            events = TensorBoardWriter.create(tensorBoardDir, clock);
            if (resumedAfter >= 0) {
                events.sessionStart(resumedAfter + 1, "resumed after step " + resumedAfter);
                events.flush();
            }
        } catch (IOException | RuntimeException e) {
            csv.close();
            throw e;
        }
        return new TrainingLog(events, csv);
    }

    /** The event file. */
    public Path eventFile() {
        return events.file();
    }

    /** The CSV file. */
    public Path csvFile() {
        return csv.file();
    }

    /** How many CSV rows resuming dropped (logged after the saved state); 0 for a new run. */
    public int droppedOnResume() {
        return csv.droppedOnResume();
    }

    /**
     * Logs one optimizer step.
     *
     * @param step          the step just taken, from 1
     * @param epoch         its epoch, from 1
     * @param lrUnet        the UNet's learning rate, or null when the UNet does not train
     * @param lrTextEncoder the text encoder's learning rate, or null when it does not train
     */
    public void step(long step, int epoch, double loss, double averageLoss, Double lrUnet, Double lrTextEncoder)
            throws IOException {
        csv.append(new LossCsv.Row(step, epoch, loss, averageLoss, lrUnet, lrTextEncoder));
        events.scalar(LOSS_CURRENT, loss, step);
        events.scalar(LOSS_AVERAGE, averageLoss, step);
        if (lrUnet != null) {
            events.scalar(LR_UNET, lrUnet, step);
        }
        if (lrTextEncoder != null) {
            events.scalar(LR_TEXT_ENCODER, lrTextEncoder, step);
        }
    }

    /** Logs an epoch's average loss at x = {@code epoch} (from 1) and flushes the event file. */
    public void epochEnd(int epoch, double averageLoss) throws IOException {
        events.scalar(LOSS_EPOCH, averageLoss, epoch);
        events.flush();
    }

    @Override
    public void close() throws IOException {
        try (csv) {
            events.close();
        }
    }
}
