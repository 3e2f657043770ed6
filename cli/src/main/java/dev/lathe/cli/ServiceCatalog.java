package dev.lathe.cli;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.Plugin;
import dev.lathe.config.PluginCatalog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The plugins registered in the OSGi service registry, by kind and {@code id} property. Services
 * are looked up when asked, so a bundle dropped into {@code bundles/} is seen without any list to
 * maintain. A command line runs to completion and then the framework stops, so services obtained
 * here are released with it.
 */
final class ServiceCatalog implements PluginCatalog {

    /** One registered plugin, for listing. */
    record Registration(PluginKind kind, String id, Plugin plugin, String bundle, String version) {
    }

    private final BundleContext context;

    ServiceCatalog(BundleContext context) {
        this.context = context;
    }

    @Override
    public List<String> ids(Class<? extends Plugin> kind) {
        return references(kind).stream()
                .map(r -> String.valueOf(r.getProperty(Plugin.ID_PROPERTY)))
                .distinct()
                .sorted()
                .toList();
    }

    @Override
    public <T extends Plugin> Optional<T> find(Class<T> kind, String id) {
        List<ServiceReference<T>> matches = references(kind).stream()
                .filter(ref -> id.equals(ref.getProperty(Plugin.ID_PROPERTY)))
                .toList();
        if (matches.size() > 1) {
            throw new InvalidInputException("Two bundles register the " + kind.getSimpleName() + " id \"" + id
                    + "\": " + matches.stream().map(r -> r.getBundle().getSymbolicName() + " "
                            + r.getBundle().getVersion()).toList()
                    + ". A pipeline could not tell which one it names: remove one of them from the bundles folder.");
        }
        return matches.isEmpty() ? Optional.empty() : Optional.ofNullable(context.getService(matches.get(0)));
    }

    /** Every registered plugin of every kind, sorted by kind and id. */
    List<Registration> registrations() {
        List<Registration> out = new ArrayList<>();
        for (PluginKind kind : PluginKind.all()) {
            for (ServiceReference<? extends Plugin> ref : references(kind.type)) {
                Plugin plugin = context.getService(ref);
                if (plugin == null) {
                    continue;
                }
                out.add(new Registration(kind, String.valueOf(ref.getProperty(Plugin.ID_PROPERTY)), plugin,
                        ref.getBundle().getSymbolicName(), ref.getBundle().getVersion().toString()));
            }
        }
        out.sort((a, b) -> a.kind() != b.kind() ? a.kind().compareTo(b.kind()) : a.id().compareTo(b.id()));
        return out;
    }

    private <T> List<ServiceReference<T>> references(Class<T> kind) {
        try {
            Collection<ServiceReference<T>> refs =
                    context.getServiceReferences(kind, "(" + Plugin.ID_PROPERTY + "=*)");
            // Highest ranking first, as the framework would pick for getServiceReference.
            List<ServiceReference<T>> sorted = new ArrayList<>(refs);
            sorted.sort((a, b) -> b.compareTo(a));
            return sorted;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
