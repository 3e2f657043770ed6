package dev.lathe.api;

/**
 * A run that started with valid input failed while working (out of memory, a disk error, NaN
 * loss). The message is one paragraph for the user; the launcher exits with code 1. Outputs
 * written before the failure stay valid, so a run can be resumed from its last saved state.
 */
public class RunFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RunFailedException(String message) {
        super(message);
    }

    public RunFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
