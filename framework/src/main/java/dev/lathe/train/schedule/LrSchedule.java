package dev.lathe.train.schedule;

/**
 * A learning-rate schedule: the factor on the base learning rate for each optimizer step.
 *
 * <p><b>Step convention</b> (that of PyTorch's {@code LambdaLR}, which kohya-ss uses): {@code
 * multiplier(i)} is the factor optimizer step {@code i} uses, counting from 0; it is the value
 * after {@code i} calls of {@code scheduler.step()}. Step 0 of a schedule with warmup therefore
 * runs at learning rate 0, and {@code multiplier(totalSteps)} is the value after the last step.
 *
 * <p>Implementations are immutable and hold no state: a resumed run asks for the step it is at.
 */
public sealed interface LrSchedule
        permits ConstantSchedule, ConstantWithWarmupSchedule, LinearSchedule, CosineSchedule,
        CosineWithRestartsSchedule, PolynomialSchedule {

    /** The factor on the base learning rate for optimizer step {@code step} (0-based). */
    double multiplier(long step);

    /** {@code baseLr * multiplier(step)}. */
    default double learningRate(double baseLr, long step) {
        return baseLr * multiplier(step);
    }

    /** The linear ramp every warmup schedule uses before step {@code warmupSteps}: {@code i / max(1, W)}. */
    static double warmup(long step, long warmupSteps) {
        return (double) step / Math.max(1, warmupSteps);
    }

    /**
     * The fraction of the decay phase done at {@code step}: {@code (i - W) / max(1, N - W)}; 0 at
     * the end of warmup, 1 at the last step.
     */
    static double progress(long step, long warmupSteps, long totalSteps) {
        return (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    }
}
