package dev.lathe.api.pipeline;

/**
 * Progress of one long task (an epoch, a batch of images). The launcher draws it as a progress
 * bar with rate and ETA on stderr; tests can count calls. Close it when the task ends.
 */
public interface Progress extends AutoCloseable {

    /** Marks {@code n} more units of work done. */
    void advance(long n);

    /** A short status shown beside the bar, e.g. {@code loss=0.1234}. */
    void status(String text);

    @Override
    void close();
}
