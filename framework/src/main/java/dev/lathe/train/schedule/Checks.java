package dev.lathe.train.schedule;

/** Argument checks shared by the schedules: programming errors, not user input. */
final class Checks {

    private Checks() {
    }

    static void warmup(long warmupSteps) {
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmup steps must be >= 0, got " + warmupSteps);
        }
    }

    static void steps(long warmupSteps, long totalSteps) {
        warmup(warmupSteps);
        if (totalSteps < 1 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("need 0 <= warmup steps <= total steps and total steps >= 1, got warmup "
                    + warmupSteps + " of " + totalSteps);
        }
    }

    static void positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be a positive number, got " + value);
        }
    }
}
