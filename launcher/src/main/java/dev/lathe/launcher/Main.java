package dev.lathe.launcher;

import dev.lathe.boot.LatheCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.util.tracker.ServiceTracker;

/**
 * {@code bin/lathe}: starts Felix with every bundle in the installation's {@code bundles/} folder
 * (Lathe's own and any a third party dropped in), then runs the command line through the CLI
 * bundle's {@link LatheCommand} service and exits with its code.
 *
 * <p>The installation folder is the system property {@code lathe.home} (set by {@code bin/lathe}),
 * else the parent of the folder holding this jar. {@code lathe.bundles} overrides the bundle folder.
 */
public final class Main {

    private static final long COMMAND_WAIT_MS = 30_000;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Installation home;
        try {
            home = Installation.locate();
        } catch (IOException | IllegalStateException e) {
            err.println("lathe: cannot find the installation: " + e.getMessage());
            return LatheCommand.RUN_FAILED;
        }
        NativeDefaults.apply(home);

        Path storage = null;
        Felix felix = null;
        try {
            storage = Files.createTempDirectory("lathe-felix-");
            felix = new Felix(frameworkConfig(home, storage));
            felix.start();
            startBundles(felix, home.bundleJars(), err);

            ServiceTracker<LatheCommand, LatheCommand> tracker =
                    new ServiceTracker<>(felix.getBundleContext(), LatheCommand.class, null);
            tracker.open();
            LatheCommand command = tracker.waitForService(COMMAND_WAIT_MS);
            if (command == null) {
                err.println("lathe: the command-line bundle did not start within " + COMMAND_WAIT_MS / 1000
                        + " s. Check that " + home.bundles() + " holds dev.lathe.cli and its dependencies "
                        + "(the warnings above name bundles that failed to resolve).");
                return LatheCommand.RUN_FAILED;
            }
            return command.execute(args, out, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LatheCommand.RUN_FAILED;
        } catch (Exception e) {
            err.println("lathe: could not start the plugin framework: " + e);
            return LatheCommand.RUN_FAILED;
        } finally {
            stop(felix);
            deleteQuietly(storage);
        }
    }

    private static Map<String, Object> frameworkConfig(Installation home, Path storage) throws IOException {
        Map<String, Object> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SystemPackages.forJars(home.libJars()));
        // Felix's own log goes to stdout by default; only errors matter to a user, and on stderr.
        config.put("felix.log.level", "1");
        return config;
    }

    /**
     * Installs every jar, then starts every non-fragment. A bundle that cannot resolve (a plugin
     * built for another Lathe version, say) is reported and left out; the rest still run.
     */
    private static void startBundles(Felix felix, List<Path> jars, PrintStream err) {
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : jars) {
            try {
                installed.add(felix.getBundleContext().installBundle(jar.toUri().toString()));
            } catch (BundleException e) {
                err.println("lathe: warning: " + jar.getFileName() + " is not a usable bundle and is skipped: "
                        + e.getMessage());
            }
        }
        for (Bundle bundle : installed) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                bundle.start();
            } catch (BundleException e) {
                err.println("lathe: warning: bundle " + bundle.getSymbolicName() + " " + bundle.getVersion()
                        + " (" + bundle.getLocation().replaceFirst(".*/", "") + ") could not start and is skipped: "
                        + e.getMessage());
            }
        }
    }

    private static void stop(Felix felix) {
        if (felix == null) {
            return;
        }
        try {
            felix.stop();
            FrameworkEvent event = felix.waitForStop(10_000);
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                System.err.println("lathe: warning: the plugin framework did not stop within 10 s");
            }
        } catch (BundleException e) {
            System.err.println("lathe: warning: stopping the plugin framework: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temp folder is harmless; the OS cleans temp.
        }
    }

    /** The folders of an installation: {@code lib/} on the class path, {@code bundles/} for Felix. */
    record Installation(Path home, Path lib, Path bundles) {

        static Installation locate() throws IOException {
            String property = System.getProperty("lathe.home");
            Path home;
            if (property != null) {
                home = Paths.get(property);
            } else {
                try {
                    Path jar = Paths.get(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                    home = jar.getParent().getParent();
                } catch (Exception e) {
                    throw new IllegalStateException("set -Dlathe.home to the installation folder", e);
                }
            }
            home = home.toAbsolutePath().normalize();
            String bundleOverride = System.getProperty("lathe.bundles");
            Path bundles = bundleOverride != null ? Paths.get(bundleOverride) : home.resolve("bundles");
            if (!Files.isDirectory(bundles)) {
                throw new IllegalStateException("no bundle folder at " + bundles);
            }
            return new Installation(home, home.resolve("lib"), bundles);
        }

        List<Path> bundleJars() throws IOException {
            return jarsIn(bundles);
        }

        List<Path> libJars() throws IOException {
            return Files.isDirectory(lib) ? jarsIn(lib) : List.of();
        }

        private static List<Path> jarsIn(Path dir) throws IOException {
            try (Stream<Path> files = Files.list(dir)) {
                return files.filter(SystemPackages::isJar).sorted().toList();
            }
        }
    }
}
