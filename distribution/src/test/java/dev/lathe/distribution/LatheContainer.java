package dev.lathe.distribution;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dev.lathe.launcher.SystemPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.ops4j.pax.exam.Option;

/**
 * A Felix like the one {@code bin/lathe} starts: the assembled {@code target/lathe/bundles} by
 * file URL (never a stale jar from the local repository), DJL and the launcher's boot package
 * exported from the class path exactly as the launcher computes them, plus the example
 * third-party bundle.
 */
final class LatheContainer {

    private LatheContainer() {
    }

    static Path distribution() {
        return Paths.get(System.getProperty("lathe.dist.dir", "target/lathe")).toAbsolutePath();
    }

    static Path exampleBundle() {
        return Paths.get(System.getProperty("lathe.example.bundle", "target/itest-bundles/example-optimizer-sgd.jar"))
                .toAbsolutePath();
    }

    static Option[] options() {
        try {
            List<Option> options = new ArrayList<>();
            options.add(cleanCaches());
            // Pax Exam's own bundles come from the local Maven repository, never the network.
            options.add(systemProperty("org.ops4j.pax.url.mvn.offline").value("true"));
            options.add(systemProperty("org.ops4j.pax.url.mvn.localRepository")
                    .value(System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository")));
            options.add(systemProperty("org.ops4j.pax.url.mvn.repositories").value(""));
            // Pax Exam needs its own entries in system.packages.extra: add to it, never replace it.
            options.add(systemPackages(SystemPackages.clauses(jars(distribution().resolve("lib"))).toArray(new String[0])));
            for (Path jar : jars(distribution().resolve("bundles"))) {
                options.add(bundle(jar.toUri().toString()));
            }
            options.add(bundle(exampleBundle().toUri().toString()));
            options.add(junitBundles());
            return options.toArray(new Option[0]);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the assembled distribution at " + distribution(), e);
        }
    }

    private static List<Path> jars(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
    }
}
