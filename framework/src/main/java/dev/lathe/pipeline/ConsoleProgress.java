package dev.lathe.pipeline;

import dev.lathe.api.pipeline.Progress;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Progress on a console stream (normally standard error): done/total, percentage, rate, elapsed
 * time and ETA. On a terminal the line is redrawn in place ({@code \r}) at most five times a
 * second; otherwise (a log file, a CI console) a plain line is printed every ten seconds. Either
 * way a line appears only once a task has run two seconds, so short tasks stay quiet, and a task
 * that was shown gets a final line when it is closed.
 *
 * <p>Lines are drawn when the task reports progress; there is no timer thread.
 */
public final class ConsoleProgress implements ProgressFactory {

    static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(2);
    static final long REDRAW_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    static final long LOG_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier nanoClock;

    /**
     * @param out      where to draw
     * @param terminal whether {@code out} is an interactive terminal (redraw in place) rather
     *                 than a file or pipe (one line per report)
     */
    public ConsoleProgress(PrintStream out, boolean terminal) {
        this(out, terminal, System::nanoTime);
    }

    /** With a clock to read instead of {@link System#nanoTime()} (tests). */
    ConsoleProgress(PrintStream out, boolean terminal, LongSupplier nanoClock) {
        this.out = out;
        this.terminal = terminal;
        this.nanoClock = nanoClock;
    }

    @Override
    public Progress start(String task, long total) {
        return new Task(task, total, nanoClock.getAsLong());
    }

    /** {@code 2:05} or {@code 1:02:05}. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private final class Task implements Progress {
        private final String name;
        private final long total;
        private final long started;
        private long done;
        private String status = "";
        private boolean shown;
        private long lastDrawn;
        private int lastLength;
        private boolean closed;

        Task(String name, long total, long started) {
            this.name = name;
            this.total = total;
            this.started = started;
        }

        @Override
        public synchronized void advance(long n) {
            done += n;
            drawIfDue();
        }

        @Override
        public synchronized void status(String text) {
            status = text == null ? "" : text;
            drawIfDue();
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            long now = nanoClock.getAsLong();
            if (shown || now - started >= QUIET_NANOS) {
                draw(now, true);
            }
        }

        private void drawIfDue() {
            long now = nanoClock.getAsLong();
            long interval = terminal ? REDRAW_NANOS : LOG_NANOS;
            if (!closed && now - started >= QUIET_NANOS && (!shown || now - lastDrawn >= interval)) {
                draw(now, false);
            }
        }

        private void draw(long now, boolean last) {
            ProgressLine line = new ProgressLine(name, done, total, (now - started) / 1e9, status);
            if (terminal) {
                String text = line.bar();
                // Blank out what is left of a longer previous line.
                out.print("\r" + text + " ".repeat(Math.max(0, lastLength - text.length())));
                lastLength = text.length();
                if (last) {
                    out.println();
                }
            } else {
                out.println(line.sentence());
            }
            out.flush();
            shown = true;
            lastDrawn = now;
        }
    }
}
