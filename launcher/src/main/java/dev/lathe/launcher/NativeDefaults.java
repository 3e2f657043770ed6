package dev.lathe.launcher;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Settings DJL and ND4J read once, before their first class loads: never reach the network,
 * extract natives to one stable cache, and size the thread pools to the machine. Each is a
 * default: a value already set (environment or {@code -D}) wins.
 *
 * <p>DJL reads these names from the environment or, failing that, from system properties, so the
 * launcher can set them here. OpenMP's settings ({@code OMP_NUM_THREADS}, {@code OMP_WAIT_POLICY})
 * are read only from the environment and are set by {@code bin/lathe}.
 */
final class NativeDefaults {

    private NativeDefaults() {
    }

    static void apply(Main.Installation home) {
        Path cache = Paths.get(System.getProperty("user.home"), ".cache", "lathe");
        setDefault("DJL_OFFLINE", "true");
        setDefault("ai.djl.offline", "true");
        setDefault("OPT_OUT_TRACKING", "true");
        setDefault("ENGINE_CACHE_DIR", cache.resolve("djl").toString());
        setDefault("DJL_CACHE_DIR", cache.resolve("djl").toString());
        setDefault("org.bytedeco.javacpp.cachedir", cache.resolve("javacpp").toString());
        String threads = System.getenv().getOrDefault("OMP_NUM_THREADS",
                Integer.toString(Runtime.getRuntime().availableProcessors()));
        setDefault("ai.djl.pytorch.num_threads", threads);
        setDefault("ai.djl.pytorch.num_interop_threads", "1");
        setDefault("org.slf4j.simpleLogger.logFile", "System.err");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        // ND4J logs its backend, BLAS and build details at INFO on every start.
        setDefault("org.slf4j.simpleLogger.log.org.nd4j", "warn");
        // The face evaluator draws histogram PNGs; the launcher never opens a window.
        setDefault("java.awt.headless", "true");
    }

    private static void setDefault(String name, String value) {
        if (System.getenv(name) == null && System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }
}
