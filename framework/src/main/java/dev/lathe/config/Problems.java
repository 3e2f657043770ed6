package dev.lathe.config;

import dev.lathe.api.InvalidInputException;
import dev.lathe.config.Node.Location;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The problems found in one config file. Checking goes on after the first problem so that the
 * user can fix them all in one edit; they are reported together, in file order.
 */
final class Problems {

    private record Problem(Location location, String message) {
    }

    private final Path file;
    private final List<Problem> problems = new ArrayList<>();

    Problems(Path file) {
        this.file = file;
    }

    /** Records a problem; {@code message} is a sentence without the location. */
    void add(Location location, String message) {
        problems.add(new Problem(location, message));
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    /** Throws them all as one exception, if there are any. */
    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw toException();
        }
    }

    InvalidInputException toException() {
        String fileName = file.getFileName().toString();
        String lines = problems.stream()
                .sorted(Comparator.comparing(Problem::location))
                .map(p -> fileName + ", line " + p.location().line() + ", column " + p.location().column() + ": " + p.message())
                .collect(Collectors.joining("\n"));
        int n = problems.size();
        return new InvalidInputException("The pipeline config " + file + " has " + n + (n == 1 ? " problem:" : " problems:") + "\n" + lines);
    }
}
