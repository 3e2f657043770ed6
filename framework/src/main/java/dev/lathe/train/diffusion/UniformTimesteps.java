package dev.lathe.train.diffusion;

import java.util.random.RandomGenerator;

/**
 * Training timesteps drawn uniformly from {@code [min, max)}, one per sample (kohya {@code
 * get_timesteps}, {@code --min_timestep} / {@code --max_timestep}; by default all of {@code [0, 1000)}).
 * With {@code min == max} every sample gets {@code max}, as in kohya.
 */
public record UniformTimesteps(int min, int max) {

    public UniformTimesteps {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException("need 0 <= min <= max, got [" + min + ", " + max + ")");
        }
    }

    /** Every timestep of {@code schedule}. */
    public static UniformTimesteps all(NoiseSchedule schedule) {
        return new UniformTimesteps(0, schedule.timesteps());
    }

    public long[] sample(int batch, RandomGenerator random) {
        long[] timesteps = new long[batch];
        for (int b = 0; b < batch; b++) {
            timesteps[b] = min < max ? random.nextInt(min, max) : max;
        }
        return timesteps;
    }
}
