package dev.lathe.dataset;

import java.util.Random;

/**
 * Independent random streams from the training seed, so that every random choice of the dataset
 * is a pure function of (seed, epoch, step, slot in the batch): a resumed run makes the same
 * choices as an uninterrupted one. Streams are {@link java.util.Random}s (an algorithm the Java
 * specification fixes) seeded through SplitMix64 mixing of those numbers.
 */
final class Seeds {

    private static final long EPOCH_STREAM = 0x45504f4348L;   // "EPOCH"
    private static final long SAMPLE_STREAM = 0x53414d504cL;  // "SAMPL"

    private Seeds() {
    }

    /** The stream that orders the batches and bucket contents of {@code epoch}. */
    static Random epoch(long seed, int epoch) {
        return new Random(mix(mix(seed, EPOCH_STREAM), epoch));
    }

    /** The stream of one sample: flip, crop, color and caption draws, in kohya's order. */
    static Random sample(long seed, int epoch, int step, int slot) {
        return new Random(mix(mix(mix(mix(seed, SAMPLE_STREAM), epoch), step), slot));
    }

    static long mix(long state, long value) {
        long z = state * 0x9E3779B97F4A7C15L + value + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
