package dev.lathe.train.schedule;

/**
 * kohya {@code cosine_with_restarts}: warmup, then {@code numCycles} half cosines from 1 to 0,
 * each restarting at 1 (hard restarts); 0 from {@code totalSteps} on. {@code numCycles} is
 * kohya's {@code --lr_scheduler_num_cycles} (default 1).
 */
public record CosineWithRestartsSchedule(long warmupSteps, long totalSteps, double numCycles) implements LrSchedule {

    public CosineWithRestartsSchedule {
        Checks.steps(warmupSteps, totalSteps);
        Checks.positive("numCycles", numCycles);
    }

    @Override
    public double multiplier(long step) {
        if (step < warmupSteps) {
            return LrSchedule.warmup(step, warmupSteps);
        }
        double p = LrSchedule.progress(step, warmupSteps, totalSteps);
        if (p >= 1.0) {
            return 0.0;
        }
        // Python's % on non-negative numbers, like Java's: the position within the current cycle.
        return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * ((numCycles * p) % 1.0))));
    }
}
