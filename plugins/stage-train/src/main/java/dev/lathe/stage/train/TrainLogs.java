package dev.lathe.stage.train;

import dev.lathe.train.log.TrainingLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The run's logs in {@code logs/}: TensorBoard event files under kohya's tags and {@code
 * loss.csv} ({@link TrainingLog}). A resumed run drops what the interrupted run logged after its
 * last saved state.
 */
final class TrainLogs implements TrainLog {

    private final TrainingLog log;
    private final List<String> groups;

    private TrainLogs(TrainingLog log, List<String> groups) {
        this.log = log;
        this.groups = groups;
    }

    /** @param groups the optimizer's parameter group names, in order ({@code text_encoder}, {@code unet}) */
    static TrainLog open(Path folder, long resumeStep, List<String> groups) throws IOException {
        java.nio.file.Files.createDirectories(folder);
        Path csv = folder.resolve("loss.csv");
        TrainingLog log = resumeStep > 0 ? TrainingLog.resume(folder, csv, resumeStep) : TrainingLog.start(folder, csv);
        return new TrainLogs(log, List.copyOf(groups));
    }

    @Override
    public void step(long step, int epoch, double loss, double epochAverage, List<Double> learningRates) {
        try {
            log.step(step, epoch, loss, epochAverage, rate("unet", learningRates), rate("text_encoder", learningRates));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the training log: " + e.getMessage(), e);
        }
    }

    @Override
    public void epoch(int epoch, long step, double averageLoss) {
        try {
            log.epochEnd(epoch, averageLoss);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the training log: " + e.getMessage(), e);
        }
    }

    private Double rate(String group, List<Double> rates) {
        int index = groups.indexOf(group);
        return index >= 0 && index < rates.size() ? rates.get(index) : null;
    }

    @Override
    public void close() {
        try {
            log.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
