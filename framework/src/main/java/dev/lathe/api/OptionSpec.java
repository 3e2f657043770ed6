package dev.lathe.api;

import java.util.List;
import java.util.Objects;

/**
 * One option a plugin or stage accepts in a pipeline config: its name, kind, default and the
 * sentence {@code docs/config.md} and {@code lathe plugins --options} show for it.
 *
 * <p>Values reach the plugin already validated and converted (see {@link Options} for the Java
 * type of each kind). Build specs with the static factories, e.g.
 * {@code OptionSpec.integer("epochs", 10, "Passes over the dataset").min(1)}.
 *
 * @param name         the JSON field name (camelCase)
 * @param kind         what the value is
 * @param defaultValue the value when the field is absent, already in its Java type; {@code null}
 *                     means "absent" (see {@link #required})
 * @param required     whether the field must be given
 * @param description  one sentence for the documentation
 * @param choices      the accepted values of a {@link Kind#CHOICE}; empty otherwise
 * @param pluginKind   the service interface a {@link Kind#PLUGIN} names an id of
 * @param element      the element spec of a {@link Kind#LIST}
 * @param fields       the fields of an {@link Kind#OBJECT}
 * @param min          inclusive lower bound of an INTEGER or NUMBER, or {@code null}
 * @param max          inclusive upper bound of an INTEGER or NUMBER, or {@code null}
 */
public record OptionSpec(
        String name,
        Kind kind,
        Object defaultValue,
        boolean required,
        String description,
        List<String> choices,
        Class<? extends Plugin> pluginKind,
        OptionSpec element,
        List<OptionSpec> fields,
        Double min,
        Double max) {

    /** What a value is, and the Java type {@link Options} hands it out as. */
    public enum Kind {
        /** Free text: {@link String}. */
        STRING,
        /** Whole number: {@link Long}. */
        INTEGER,
        /** Number: {@link Double}; integers are accepted. */
        NUMBER,
        /** {@code true}/{@code false}: {@link Boolean}. */
        BOOLEAN,
        /** One of {@link #choices}: {@link String}. */
        CHOICE,
        /** A file or folder, relative to the config file's folder: absolute {@link java.nio.file.Path}. */
        PATH,
        /**
         * A file, or an output of an earlier stage written {@code stage.output}
         * (e.g. {@code base3d.best}): {@link ArtifactRef}.
         */
        ARTIFACT,
        /**
         * A plugin of {@link #pluginKind}, written as its id ({@code "adamw"}) or as an object with
         * an {@code id} field and that plugin's own options: {@link PluginChoice}.
         */
        PLUGIN,
        /** A JSON array of {@link #element}s (a single value is taken as a one-element list): {@link List}. */
        LIST,
        /** A JSON object with {@link #fields}: {@link Options}. */
        OBJECT
    }

    public OptionSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(description, "description");
        choices = List.copyOf(choices);
        fields = List.copyOf(fields);
        if (kind == Kind.PLUGIN && pluginKind == null) {
            throw new IllegalArgumentException("option " + name + ": a PLUGIN option needs its plugin kind");
        }
        if (kind == Kind.LIST && element == null) {
            throw new IllegalArgumentException("option " + name + ": a LIST option needs its element spec");
        }
        if (kind == Kind.CHOICE && choices.isEmpty()) {
            throw new IllegalArgumentException("option " + name + ": a CHOICE option needs its choices");
        }
    }

    private static OptionSpec of(String name, Kind kind, Object defaultValue, String description) {
        return new OptionSpec(name, kind, defaultValue, false, description, List.of(), null, null, List.of(), null, null);
    }

    public static OptionSpec string(String name, String defaultValue, String description) {
        return of(name, Kind.STRING, defaultValue, description);
    }

    public static OptionSpec integer(String name, Long defaultValue, String description) {
        return of(name, Kind.INTEGER, defaultValue, description);
    }

    public static OptionSpec integer(String name, long defaultValue, String description) {
        return of(name, Kind.INTEGER, defaultValue, description);
    }

    public static OptionSpec number(String name, Double defaultValue, String description) {
        return of(name, Kind.NUMBER, defaultValue, description);
    }

    public static OptionSpec number(String name, double defaultValue, String description) {
        return of(name, Kind.NUMBER, defaultValue, description);
    }

    public static OptionSpec bool(String name, boolean defaultValue, String description) {
        return of(name, Kind.BOOLEAN, defaultValue, description);
    }

    public static OptionSpec choice(String name, String defaultValue, List<String> choices, String description) {
        return new OptionSpec(name, Kind.CHOICE, defaultValue, false, description, choices, null, null, List.of(), null, null);
    }

    public static OptionSpec path(String name, String description) {
        return of(name, Kind.PATH, null, description);
    }

    public static OptionSpec artifact(String name, String description) {
        return of(name, Kind.ARTIFACT, null, description);
    }

    public static OptionSpec plugin(String name, Class<? extends Plugin> pluginKind, String defaultId, String description) {
        return new OptionSpec(name, Kind.PLUGIN, defaultId, false, description, List.of(), pluginKind, null, List.of(), null, null);
    }

    public static OptionSpec list(String name, OptionSpec element, String description) {
        return new OptionSpec(name, Kind.LIST, null, false, description, List.of(), null, element, List.of(), null, null);
    }

    public static OptionSpec object(String name, List<OptionSpec> fields, String description) {
        return new OptionSpec(name, Kind.OBJECT, null, false, description, List.of(), null, null, fields, null, null);
    }

    /** This option must be given. */
    public OptionSpec mandatory() {
        return new OptionSpec(name, kind, null, true, description, choices, pluginKind, element, fields, min, max);
    }

    /** Inclusive lower bound for an INTEGER or NUMBER. */
    public OptionSpec min(double lowest) {
        return new OptionSpec(name, kind, defaultValue, required, description, choices, pluginKind, element, fields, lowest, max);
    }

    /** Inclusive upper bound for an INTEGER or NUMBER. */
    public OptionSpec max(double highest) {
        return new OptionSpec(name, kind, defaultValue, required, description, choices, pluginKind, element, fields, min, highest);
    }

    /** The default as a list of one, for a LIST whose default is a single element. */
    public OptionSpec withDefault(Object value) {
        return new OptionSpec(name, kind, value, required, description, choices, pluginKind, element, fields, min, max);
    }
}
