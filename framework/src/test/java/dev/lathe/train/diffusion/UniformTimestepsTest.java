package dev.lathe.train.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UniformTimestepsTest {

    @Test
    void coversTheWholeRangeUniformly() {
        UniformTimesteps sampler = UniformTimesteps.all(NoiseSchedule.stableDiffusion());
        long[] t = sampler.sample(100_000, new SplittableRandom(7));
        int[] counts = new int[10];
        for (long v : t) {
            assertTrue(v >= 0 && v < 1000, "in [0, 1000): " + v);
            counts[(int) (v / 100)]++;
        }
        for (int count : counts) {
            assertEquals(10_000, count, 400, "each tenth of the range gets a tenth of the draws");
        }
        assertArrayEquals(sampler.sample(8, new SplittableRandom(3)), sampler.sample(8, new SplittableRandom(3)));
    }

    @Test
    void emptyRangeGivesItsUpperEnd() {
        assertArrayEquals(new long[] {500, 500}, new UniformTimesteps(500, 500).sample(2, new SplittableRandom(1)));
        long[] t = new UniformTimesteps(200, 300).sample(1000, new SplittableRandom(1));
        for (long v : t) {
            assertTrue(v >= 200 && v < 300);
        }
    }

    static long[] range(int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
