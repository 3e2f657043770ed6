package dev.lathe.api;

/**
 * The user gave something Lathe cannot use: a config, a checkpoint, a dataset or a command line.
 *
 * <p>The message is shown to the user as it is, so it must be one self-contained paragraph: which
 * file (or field), what is wrong with it, and what to do instead. The launcher exits with code 2
 * and prints no stack trace.
 */
public class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
