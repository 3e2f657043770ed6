package dev.lathe.train.schedule;

/** kohya {@code constant_with_warmup}: a linear ramp over {@code warmupSteps}, then constant. */
public record ConstantWithWarmupSchedule(long warmupSteps) implements LrSchedule {

    public ConstantWithWarmupSchedule {
        Checks.warmup(warmupSteps);
    }

    @Override
    public double multiplier(long step) {
        return step < warmupSteps ? LrSchedule.warmup(step, warmupSteps) : 1.0;
    }
}
