package dev.lathe.train.schedule;

/** kohya {@code linear}: warmup, then a straight line from 1 down to 0 at {@code totalSteps}. */
public record LinearSchedule(long warmupSteps, long totalSteps) implements LrSchedule {

    public LinearSchedule {
        Checks.steps(warmupSteps, totalSteps);
    }

    @Override
    public double multiplier(long step) {
        if (step < warmupSteps) {
            return LrSchedule.warmup(step, warmupSteps);
        }
        return Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    }
}
