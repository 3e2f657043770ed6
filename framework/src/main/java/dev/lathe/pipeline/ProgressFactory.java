package dev.lathe.pipeline;

import dev.lathe.api.pipeline.Progress;

/** Where stages report progress: a console bar ({@link ConsoleProgress}), a log, or nothing. */
@FunctionalInterface
public interface ProgressFactory {

    /** Starts reporting a task of {@code total} units; {@code total <= 0} means unknown. */
    Progress start(String task, long total);

    /** Reports nothing (tests, embedding). */
    static ProgressFactory silent() {
        return (task, total) -> new Progress() {
            @Override
            public void advance(long n) {
            }

            @Override
            public void status(String text) {
            }

            @Override
            public void close() {
            }
        };
    }
}
