package dev.lathe.stage.train;

import java.util.List;

/** Where the trainer reports losses and learning rates (TensorBoard, CSV). */
interface TrainLog extends AutoCloseable {

    /** After optimizer step {@code step} (1-based) of {@code epoch}. */
    void step(long step, int epoch, double loss, double epochAverage, List<Double> learningRates);

    /** At the end of {@code epoch}, its average loss. */
    void epoch(int epoch, long step, double averageLoss);

    @Override
    void close();
}
