package dev.lathe.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Files of the project's shared fixtures folder ({@code ../shared/fixtures} beside the
 * repository) that stay out of the repository (the CLIP vocabulary, large key lists): from
 * {@code -Dlathe.shared.dir} (surefire sets it), else relative to the module. When a file is
 * missing, the test fails under {@code CI=true} and is skipped otherwise.
 */
public final class SharedFolder {

    private SharedFolder() {
    }

    /** {@code fixtures/<relative>} of the shared folder. */
    public static Path fixture(String relative) {
        List<Path> candidates = new ArrayList<>();
        String property = System.getProperty("lathe.shared.dir");
        if (property != null && !property.isBlank()) {
            candidates.add(Path.of(property, "fixtures", relative));
        }
        candidates.add(Path.of("../../../shared/fixtures", relative));
        candidates.add(Path.of("../../shared/fixtures", relative));
        for (Path candidate : candidates) {
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        String problem = "The shared fixture " + relative + " is missing (looked at "
                + candidates.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList() + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(problem + ". CI=true requires it.");
        }
        Assumptions.abort(problem + "; skipping.");
        return null; // not reached
    }
}
