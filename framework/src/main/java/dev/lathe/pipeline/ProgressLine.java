package dev.lathe.pipeline;

import java.util.Locale;

/**
 * One moment of a task's progress, as text: a bar line for a terminal or a sentence for a log.
 *
 * @param task    what is being done
 * @param done    units done
 * @param total   units in all; {@code <= 0} when unknown (then no percentage, bar or ETA)
 * @param seconds time since the task started
 * @param status  the task's own note ({@code loss=0.1234}), possibly empty
 */
record ProgressLine(String task, long done, long total, double seconds, String status) {

    private static final int BAR_WIDTH = 24;

    /** {@code train: epoch 1 [######------------------]  42/420  10%  2.31 it/s  0:18<2:43  loss=0.12} */
    String bar() {
        StringBuilder line = new StringBuilder(task).append(' ');
        if (total > 0) {
            int filled = (int) (BAR_WIDTH * Math.min(1.0, (double) done / total));
            line.append('[').append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("]  ")
                    .append(done).append('/').append(total).append("  ").append(percent()).append("%  ")
                    .append(rate()).append("  ").append(ConsoleProgress.clock(seconds)).append('<').append(eta());
        } else {
            line.append(done).append("  ").append(rate()).append("  ").append(ConsoleProgress.clock(seconds));
        }
        return status.isEmpty() ? line.toString() : line.append("  ").append(status).toString();
    }

    /** {@code train: epoch 1: 42/420 (10%), 2.31 it/s, elapsed 0:18, ETA 2:43, loss=0.12} */
    String sentence() {
        StringBuilder line = new StringBuilder(task).append(": ");
        if (total > 0) {
            line.append(done).append('/').append(total).append(" (").append(percent()).append("%), ").append(rate())
                    .append(", elapsed ").append(ConsoleProgress.clock(seconds)).append(", ETA ").append(eta());
        } else {
            line.append(done).append(" done, ").append(rate()).append(", elapsed ").append(ConsoleProgress.clock(seconds));
        }
        return status.isEmpty() ? line.toString() : line.append(", ").append(status).toString();
    }

    private long percent() {
        return Math.min(100, done * 100 / total);
    }

    /** Items per second, or seconds per item when slower than one a second (a training step on CPU). */
    private String rate() {
        if (done <= 0 || seconds <= 0) {
            return "? it/s";
        }
        double perSecond = done / seconds;
        return perSecond >= 1 ? String.format(Locale.ROOT, "%.2f it/s", perSecond)
                : String.format(Locale.ROOT, "%.2f s/it", 1 / perSecond);
    }

    private String eta() {
        if (done >= total) {
            return ConsoleProgress.clock(0);
        }
        return done <= 0 ? "?" : ConsoleProgress.clock((total - done) * seconds / done);
    }
}
