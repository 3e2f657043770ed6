package dev.lathe.api;

import java.util.Objects;

/**
 * The value of a {@link OptionSpec.Kind#PLUGIN} option: the chosen plugin's id and its options,
 * validated against that plugin's {@link Plugin#options()} with defaults filled in.
 */
public record PluginChoice(String id, Options options) {
    public PluginChoice {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(options, "options");
    }
}
