package dev.lathe.train.schedule;

/**
 * kohya {@code polynomial}: warmup, then {@code ((lr0 - lrEnd) * (1 - p)^power + lrEnd) / lr0}
 * with the decay progress {@code p}, and {@code lrEnd / lr0} after {@code totalSteps}.
 *
 * <p>{@code lrEnd} is an absolute learning rate (default 1e-7), not a factor, which is why this
 * schedule needs {@code baseLr} (= lr0, the optimizer's default learning rate): with power 1 it
 * ends at {@code 1e-7}, not at 0. {@code power} is kohya's {@code --lr_scheduler_power}.
 */
public record PolynomialSchedule(long warmupSteps, long totalSteps, double power, double lrEnd, double baseLr)
        implements LrSchedule {

    /** The end learning rate kohya (through transformers' default) uses. */
    public static final double DEFAULT_LR_END = 1e-7;

    public PolynomialSchedule {
        Checks.steps(warmupSteps, totalSteps);
        if (warmupSteps == totalSteps) {
            throw new IllegalArgumentException("polynomial decay needs steps after the warmup, got warmup " + warmupSteps
                    + " of " + totalSteps + " steps");
        }
        Checks.positive("power", power);
        if (!(baseLr > lrEnd)) {
            throw new IllegalArgumentException("polynomial decay needs a base learning rate (" + baseLr
                    + ") above its end learning rate (" + lrEnd + ")");
        }
    }

    @Override
    public double multiplier(long step) {
        if (step < warmupSteps) {
            return LrSchedule.warmup(step, warmupSteps);
        }
        if (step > totalSteps) {
            return lrEnd / baseLr;
        }
        double remaining = 1.0 - (double) (step - warmupSteps) / (totalSteps - warmupSteps);
        return ((baseLr - lrEnd) * Math.pow(remaining, power) + lrEnd) / baseLr;
    }
}
