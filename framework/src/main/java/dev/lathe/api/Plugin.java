package dev.lathe.api;

import java.util.List;

/**
 * Something a pipeline names by id: a model family, an optimizer, a captioner, a regularization
 * strategy, an evaluator or a stage type.
 *
 * <p>Implementations are registered as OSGi services (Declarative Services) under their kind's
 * interface with the service property {@value #ID_PROPERTY} equal to {@link #id()}. The launcher
 * resolves the ids a pipeline names through the service registry; two services of one kind with
 * the same id are a configuration error.
 */
public interface Plugin {

    /** Name of the service property that carries the plugin id. */
    String ID_PROPERTY = "id";

    /** The id a pipeline config uses, e.g. {@code adamw}; lower case, digits and dashes. */
    String id();

    /** One line for {@code lathe plugins} and error messages. */
    String description();

    /**
     * The options this plugin accepts in a pipeline config. The config reader rejects any other
     * name (suggesting the closest one) and fills in defaults before the plugin sees them.
     */
    default List<OptionSpec> options() {
        return List.of();
    }
}
