package dev.lathe.stage.train;

import java.util.List;

/**
 * Where a run stands, between batches: what a training state saves besides the tensors.
 *
 * @param epoch         the epoch being trained (1-based); after the last, epochs + 1
 * @param batchInEpoch  batches of {@code epoch} already trained (a state saved mid-epoch)
 * @param step          optimizer steps done
 * @param epochLossSum  sum of the batch losses of {@code epoch} so far
 * @param epochBatches  how many batch losses the sum holds
 * @param learningRates the learning rates of the last step, per parameter group
 * @param epochAverages the average loss of every finished epoch, in order
 */
record TrainProgress(int epoch, int batchInEpoch, long step, double epochLossSum, int epochBatches,
        List<Double> learningRates, List<Double> epochAverages) {

    TrainProgress {
        learningRates = List.copyOf(learningRates);
        epochAverages = List.copyOf(epochAverages);
    }

    static TrainProgress start() {
        return new TrainProgress(1, 0, 0, 0, 0, List.of(), List.of());
    }

    /** The epochs finished. */
    int completedEpochs() {
        return epoch - 1;
    }

    double epochAverage() {
        return epochBatches == 0 ? 0 : epochLossSum / epochBatches;
    }

    TrainProgress afterBatch(double loss) {
        return new TrainProgress(epoch, batchInEpoch, step, epochLossSum + loss, epochBatches + 1, learningRates, epochAverages);
    }

    /** After an optimizer step; {@code nextBatch} is the batch of this epoch to train next (0 at its end). */
    TrainProgress afterStep(int nextBatch, List<Double> rates) {
        return new TrainProgress(epoch, nextBatch, step + 1, epochLossSum, epochBatches, rates, epochAverages);
    }

    /** After the last batch of {@link #epoch}: its average recorded, the next epoch begins. */
    TrainProgress nextEpoch() {
        List<Double> averages = new java.util.ArrayList<>(epochAverages);
        averages.add(epochAverage());
        return new TrainProgress(epoch + 1, 0, step, 0, 0, learningRates, averages);
    }
}
