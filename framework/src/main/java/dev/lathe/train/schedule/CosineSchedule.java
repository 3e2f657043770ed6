package dev.lathe.train.schedule;

/**
 * kohya {@code cosine}: warmup, then {@code 0.5 * (1 + cos(pi * numCycles * 2 * p))} over the
 * decay progress {@code p}. kohya always passes {@code numCycles = 0.5}: one half cosine from 1
 * to 0 (its {@code --lr_scheduler_num_cycles} only feeds {@code cosine_with_restarts}).
 */
public record CosineSchedule(long warmupSteps, long totalSteps, double numCycles) implements LrSchedule {

    /** The half-cosine kohya's {@code cosine} always uses. */
    public static final double HALF_CYCLE = 0.5;

    public CosineSchedule {
        Checks.steps(warmupSteps, totalSteps);
        Checks.positive("numCycles", numCycles);
    }

    public CosineSchedule(long warmupSteps, long totalSteps) {
        this(warmupSteps, totalSteps, HALF_CYCLE);
    }

    @Override
    public double multiplier(long step) {
        if (step < warmupSteps) {
            return LrSchedule.warmup(step, warmupSteps);
        }
        double p = LrSchedule.progress(step, warmupSteps, totalSteps);
        return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * numCycles * 2.0 * p)));
    }
}
