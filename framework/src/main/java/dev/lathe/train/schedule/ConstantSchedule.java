package dev.lathe.train.schedule;

/** kohya {@code constant}: the base learning rate at every step. */
public record ConstantSchedule() implements LrSchedule {

    @Override
    public double multiplier(long step) {
        return 1.0;
    }
}
