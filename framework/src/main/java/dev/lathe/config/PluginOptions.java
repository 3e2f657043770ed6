package dev.lathe.config;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.api.Plugin;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The last check a plugin makes on the options it is handed: the config reader has already
 * validated them against {@link Plugin#options()}, but a plugin can also be called from code
 * (a test, a benchmark, another plugin) with a hand-made {@link Options}. {@link #complete} makes
 * both paths safe: names the plugin does not declare are refused, and declared options that are
 * absent get their defaults.
 */
public final class PluginOptions {

    private PluginOptions() {
    }

    /**
     * {@code given} with every declared default filled in.
     *
     * <p>Numbers given as other {@link Number} types are normalized to the Java type of their
     * {@link OptionSpec.Kind} (a NUMBER given as {@code 1} becomes {@code 1.0}), also inside a
     * LIST of numbers. Nothing else is converted: that is the config reader's work.
     *
     * @throws InvalidInputException naming every unknown option and listing the valid ones
     */
    public static Options complete(Plugin plugin, Options given) {
        List<OptionSpec> specs = plugin.options();
        Map<String, OptionSpec> byName = new LinkedHashMap<>();
        specs.forEach(spec -> byName.put(spec.name(), spec));

        List<String> unknown = new ArrayList<>();
        for (String name : given.asMap().keySet()) {
            if (!byName.containsKey(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            String valid = byName.isEmpty() ? "it takes no options" : "its options are " + String.join(", ", byName.keySet());
            throw new InvalidInputException("The " + plugin.id() + " plugin does not know the option"
                    + (unknown.size() > 1 ? "s " : " ")
                    + unknown.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", "))
                    + "; " + valid + ". Check the spelling (option names are camelCase) in the config.");
        }

        Map<String, Object> values = new LinkedHashMap<>();
        for (OptionSpec spec : specs) {
            Object value = given.asMap().get(spec.name());
            if (value == null) {
                value = spec.defaultValue();
            }
            if (value != null) {
                values.put(spec.name(), normalize(spec, value));
            }
        }
        return Options.of(values);
    }

    private static Object normalize(OptionSpec spec, Object value) {
        switch (spec.kind()) {
            case NUMBER:
                return value instanceof Number n ? (Object) n.doubleValue() : value;
            case INTEGER:
                return value instanceof Number n && !(value instanceof Double || value instanceof Float)
                        ? (Object) n.longValue() : value;
            case LIST:
                if (value instanceof List<?> list) {
                    List<Object> out = new ArrayList<>(list.size());
                    list.forEach(element -> out.add(normalize(spec.element(), element)));
                    return List.copyOf(out);
                }
                return List.of(normalize(spec.element(), value));
            default:
                return value;
        }
    }
}
