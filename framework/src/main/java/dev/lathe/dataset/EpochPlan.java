package dev.lathe.dataset;

import java.util.List;

/**
 * The batches of one epoch in training order ({@link KohyaDataset#epoch}): a pure function of
 * the seed, the epoch and the dataset, so a resumed run sees the same batches.
 *
 * @param epoch   the epoch, counted from 1
 * @param batches one per step; {@code batches.get(i).step() == i}
 */
public record EpochPlan(int epoch, List<BatchPlan> batches) {

    public EpochPlan {
        batches = List.copyOf(batches);
    }

    public int steps() {
        return batches.size();
    }
}
