package dev.lathe.stage.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/** The run's logs: {@code loss.csv}. */
final class TrainLogs implements TrainLog {

    private final BufferedWriter csv;

    private TrainLogs(BufferedWriter csv) {
        this.csv = csv;
    }

    static TrainLog open(Path folder, long resumeStep) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve("loss.csv");
        boolean fresh = resumeStep == 0 || !Files.exists(file);
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                fresh ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND);
        if (fresh) {
            out.write("step,epoch,loss,epoch_average,lr\n");
        }
        return new TrainLogs(out);
    }

    @Override
    public void step(long step, int epoch, double loss, double epochAverage, List<Double> learningRates) {
        try {
            csv.write(String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%s%n", step, epoch, loss, epochAverage,
                    learningRates.isEmpty() ? "" : learningRates.get(0).toString()));
            csv.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void epoch(int epoch, long step, double averageLoss) {
    }

    @Override
    public void close() {
        try {
            csv.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
