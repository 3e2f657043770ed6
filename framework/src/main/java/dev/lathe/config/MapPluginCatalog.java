package dev.lathe.config;

import dev.lathe.api.Plugin;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A fixed set of plugin instances (tests, embedding). A plugin counts as being of every kind it
 * implements, so one list serves all kinds: {@code MapPluginCatalog.of(new TrainStage(), new AdamW())}.
 */
public final class MapPluginCatalog implements PluginCatalog {

    private final List<Plugin> plugins;

    public MapPluginCatalog(Collection<? extends Plugin> plugins) {
        this.plugins = List.copyOf(plugins);
    }

    public static MapPluginCatalog of(Plugin... plugins) {
        return new MapPluginCatalog(List.of(plugins));
    }

    @Override
    public List<String> ids(Class<? extends Plugin> kind) {
        return plugins.stream().filter(kind::isInstance).map(Plugin::id).distinct().sorted().toList();
    }

    /**
     * @throws IllegalStateException when two plugins of this kind share the id, which the service
     *         registry would not allow either
     */
    @Override
    public <T extends Plugin> Optional<T> find(Class<T> kind, String id) {
        List<T> matches = plugins.stream().filter(kind::isInstance).map(kind::cast)
                .filter(p -> p.id().equals(id)).toList();
        if (matches.size() > 1) {
            throw new IllegalStateException(matches.size() + " plugins of kind " + kind.getName() + " have the id " + id);
        }
        return matches.stream().findFirst();
    }
}
