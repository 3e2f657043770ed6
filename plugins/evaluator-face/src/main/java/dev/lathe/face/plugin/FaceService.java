package dev.lathe.face.plugin;

import dev.lathe.face.analysis.FaceAnalyzer;
import dev.lathe.face.nets.FaceNetworks;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.osgi.service.component.annotations.Component;

/**
 * The face networks of this bundle, loaded on first use (ND4J and 12 MB of weights take a few
 * seconds, which {@code lathe plugins} should not pay) and then shared by the evaluator, the
 * evaluate stage and the commands. A service of this bundle only: its package is private.
 */
@Component(service = FaceService.class)
public final class FaceService {

    private final Path cacheFolder;
    private FaceAnalyzer analyzer;

    /** Caches reference descriptors under {@code ~/.cache/lathe/face-descriptors}, beside the natives. */
    public FaceService() {
        this(Paths.get(System.getProperty("user.home"), ".cache", "lathe", "face-descriptors"));
    }

    /** @param cacheFolder where reference descriptors are cached; null for no cache */
    public FaceService(Path cacheFolder) {
        this.cacheFolder = cacheFolder;
    }

    public synchronized FaceAnalyzer analyzer() {
        if (analyzer == null) {
            analyzer = new FaceAnalyzer(FaceNetworks.load());
        }
        return analyzer;
    }

    public Path cacheFolder() {
        return cacheFolder;
    }
}
