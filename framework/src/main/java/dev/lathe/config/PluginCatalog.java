package dev.lathe.config;

import dev.lathe.api.Plugin;
import java.util.List;
import java.util.Optional;

/**
 * The plugins that exist, by kind and id. The launcher implements it over the OSGi service
 * registry; {@link MapPluginCatalog} holds a fixed set (tests, embedding).
 */
public interface PluginCatalog {

    /** The ids of every plugin of {@code kind}, sorted. */
    List<String> ids(Class<? extends Plugin> kind);

    /** The plugin of {@code kind} with this id, if there is one. */
    <T extends Plugin> Optional<T> find(Class<T> kind, String id);
}
