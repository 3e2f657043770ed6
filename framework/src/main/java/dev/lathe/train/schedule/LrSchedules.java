package dev.lathe.train.schedule;

import dev.lathe.api.InvalidInputException;
import java.util.List;

/**
 * Creates schedules by the names kohya-ss/sd-scripts accepts for {@code --lr_scheduler}, and
 * checks the settings as a user wrote them.
 */
public final class LrSchedules {

    public static final String CONSTANT = "constant";
    public static final String CONSTANT_WITH_WARMUP = "constant_with_warmup";
    public static final String LINEAR = "linear";
    public static final String COSINE = "cosine";
    public static final String COSINE_WITH_RESTARTS = "cosine_with_restarts";
    public static final String POLYNOMIAL = "polynomial";

    private static final List<String> NAMES =
            List.of(CONSTANT, CONSTANT_WITH_WARMUP, LINEAR, COSINE, COSINE_WITH_RESTARTS, POLYNOMIAL);

    private LrSchedules() {
    }

    /** The names {@link #create} accepts, in kohya's documentation order. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * The schedule kohya builds for {@code --lr_scheduler name}.
     *
     * @throws InvalidInputException for an unknown name (listing the known ones), warmup steps
     *     given to {@code constant} (kohya refuses them too), or settings out of range
     */
    public static LrSchedule create(String name, LrScheduleSettings settings) {
        String key = name == null ? "" : name.trim();
        if (!NAMES.contains(key)) {
            throw new InvalidInputException("Unknown learning-rate scheduler \"" + name + "\": use one of "
                    + String.join(", ", NAMES) + "."
                    + (key.startsWith("adafactor") ? " The Adafactor optimizer in relative-step mode brings its own "
                            + "schedule: choose optimizer adafactor and leave the scheduler at constant." : ""));
        }
        check(key, settings);
        return switch (key) {
            case CONSTANT -> new ConstantSchedule();
            case CONSTANT_WITH_WARMUP -> new ConstantWithWarmupSchedule(settings.warmupSteps());
            case LINEAR -> new LinearSchedule(settings.warmupSteps(), settings.totalSteps());
            case COSINE -> new CosineSchedule(settings.warmupSteps(), settings.totalSteps());
            case COSINE_WITH_RESTARTS -> new CosineWithRestartsSchedule(settings.warmupSteps(), settings.totalSteps(),
                    settings.numCycles());
            case POLYNOMIAL -> new PolynomialSchedule(settings.warmupSteps(), settings.totalSteps(), settings.power(),
                    settings.lrEnd(), settings.baseLr());
            default -> throw new AssertionError(key);
        };
    }

    private static void check(String name, LrScheduleSettings s) {
        if (s.warmupSteps() < 0) {
            throw invalid(name, "warmup steps must be 0 or more, got " + s.warmupSteps());
        }
        if (name.equals(CONSTANT)) {
            if (s.warmupSteps() != 0) {
                throw invalid(name, "it has no warmup, but " + s.warmupSteps() + " warmup steps were given. Use "
                        + CONSTANT_WITH_WARMUP + ", or set the warmup steps to 0");
            }
            return;
        }
        if (s.totalSteps() < 1) {
            throw invalid(name, "the run has " + s.totalSteps() + " optimizer steps; it needs at least 1");
        }
        if (s.warmupSteps() > s.totalSteps()) {
            throw invalid(name, "the " + s.warmupSteps() + " warmup steps are more than the run's " + s.totalSteps()
                    + " optimizer steps");
        }
        if (name.equals(COSINE_WITH_RESTARTS) && !(s.numCycles() > 0 && Double.isFinite(s.numCycles()))) {
            throw invalid(name, "the number of cycles must be a positive number, got " + s.numCycles());
        }
        if (name.equals(POLYNOMIAL)) {
            if (!(s.power() > 0 && Double.isFinite(s.power()))) {
                throw invalid(name, "the power must be a positive number, got " + s.power());
            }
            if (!(s.baseLr() > s.lrEnd())) {
                throw invalid(name, "it decays from the learning rate (" + s.baseLr() + ") to the end learning rate ("
                        + s.lrEnd() + "), so the learning rate must be the larger one");
            }
            if (s.warmupSteps() == s.totalSteps()) {
                throw invalid(name, "the warmup takes all " + s.totalSteps() + " steps, leaving none to decay over");
            }
        }
    }

    private static InvalidInputException invalid(String name, String problem) {
        return new InvalidInputException("Learning-rate scheduler " + name + " cannot be used as configured: " + problem
                + ".");
    }
}
