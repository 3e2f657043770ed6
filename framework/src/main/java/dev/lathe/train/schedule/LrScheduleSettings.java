package dev.lathe.train.schedule;

/**
 * What kohya's schedules are built from (its {@code --lr_warmup_steps}, {@code max_train_steps},
 * {@code --lr_scheduler_num_cycles}, {@code --lr_scheduler_power}, {@code --learning_rate});
 * each schedule uses the fields it needs.
 *
 * @param warmupSteps optimizer steps of linear warmup (0 for none)
 * @param totalSteps  optimizer steps of the whole run
 * @param numCycles   cycles of {@code cosine_with_restarts} (kohya default 1)
 * @param power       exponent of {@code polynomial} (kohya default 1)
 * @param baseLr      the base learning rate; {@code polynomial} needs it because its end is absolute
 * @param lrEnd       the learning rate {@code polynomial} decays to (default 1e-7)
 */
public record LrScheduleSettings(long warmupSteps, long totalSteps, double numCycles, double power, double baseLr,
        double lrEnd) {

    /** kohya's defaults for everything but the step counts and the base learning rate. */
    public static LrScheduleSettings of(long warmupSteps, long totalSteps, double baseLr) {
        return new LrScheduleSettings(warmupSteps, totalSteps, 1.0, 1.0, baseLr, PolynomialSchedule.DEFAULT_LR_END);
    }

    public LrScheduleSettings withNumCycles(double cycles) {
        return new LrScheduleSettings(warmupSteps, totalSteps, cycles, power, baseLr, lrEnd);
    }

    public LrScheduleSettings withPower(double exponent) {
        return new LrScheduleSettings(warmupSteps, totalSteps, numCycles, exponent, baseLr, lrEnd);
    }

    public LrScheduleSettings withLrEnd(double end) {
        return new LrScheduleSettings(warmupSteps, totalSteps, numCycles, power, baseLr, end);
    }
}
