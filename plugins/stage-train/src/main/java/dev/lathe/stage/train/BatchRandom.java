package dev.lathe.stage.train;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The generator LoRA module and rank dropout draw from, reseeded by the trainer before every
 * batch so that a resumed run draws what the uninterrupted run drew.
 */
final class BatchRandom implements RandomGenerator {

    private SplittableRandom current = new SplittableRandom(0);

    void reseed(long seed) {
        current = new SplittableRandom(seed);
    }

    @Override
    public long nextLong() {
        return current.nextLong();
    }

    @Override
    public double nextDouble() {
        return current.nextDouble();
    }
}
