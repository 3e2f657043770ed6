package dev.lathe.safetensors;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The project's shared fixtures folder ({@code ../shared} beside the repository): from the
 * system property {@code lathe.shared.dir} that surefire sets, else {@code ../../shared} relative
 * to the module. When it is missing, tests fail under {@code CI=true} and are skipped otherwise.
 */
public final class SharedFixtures {

    private SharedFixtures() {
    }

    /** The {@code fixtures} folder inside the shared folder. */
    public static Path fixtures() {
        List<Path> candidates = new ArrayList<>();
        String property = System.getProperty("lathe.shared.dir");
        if (property != null && !property.isBlank()) {
            candidates.add(Path.of(property, "fixtures"));
        }
        candidates.add(Path.of("../../shared/fixtures"));
        for (Path candidate : candidates) {
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        String problem = "The shared fixtures folder is missing (looked for "
                + candidates.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList()
                + "; set -Dlathe.shared.dir to the folder that holds fixtures/)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(problem + ". CI=true requires it.");
        }
        Assumptions.abort(problem + ". Skipping the tests that need it.");
        return null; // not reached
    }
}
