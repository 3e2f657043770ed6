package dev.lathe.api;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Validated option values, immutable, in the order the specs declare them. Absent optional
 * options without a default are simply missing ({@link #has} is false).
 *
 * <p>Java types per {@link OptionSpec.Kind}: STRING and CHOICE {@link String}, INTEGER
 * {@link Long}, NUMBER {@link Double}, BOOLEAN {@link Boolean}, PATH {@link Path}, ARTIFACT
 * {@link ArtifactRef}, PLUGIN {@link PluginChoice}, LIST {@link List}, OBJECT {@link Options}.
 */
public final class Options {

    private static final Options EMPTY = new Options(Map.of());

    private final Map<String, Object> values;

    private Options(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Values that have already been validated against their specs. */
    public static Options of(Map<String, ?> validatedValues) {
        return validatedValues.isEmpty() ? EMPTY : new Options(new LinkedHashMap<>(validatedValues));
    }

    public static Options empty() {
        return EMPTY;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Map<String, Object> asMap() {
        return values;
    }

    public Object get(String name) {
        Object value = values.get(name);
        if (value == null) {
            throw new IllegalStateException("option '" + name + "' has no value; the plugin should declare a default or mark it required");
        }
        return value;
    }

    public String getString(String name) {
        return (String) get(name);
    }

    public long getLong(String name) {
        return (Long) get(name);
    }

    public int getInt(String name) {
        return Math.toIntExact(getLong(name));
    }

    public double getDouble(String name) {
        return (Double) get(name);
    }

    public boolean getBoolean(String name) {
        return (Boolean) get(name);
    }

    public Path getPath(String name) {
        return (Path) get(name);
    }

    public ArtifactRef getArtifact(String name) {
        return (ArtifactRef) get(name);
    }

    public PluginChoice getPlugin(String name) {
        return (PluginChoice) get(name);
    }

    public Options getObject(String name) {
        return (Options) get(name);
    }

    @SuppressWarnings("unchecked")
    public <T> List<T> getList(String name) {
        return (List<T>) get(name);
    }

    /** The value if present. */
    public Optional<Object> find(String name) {
        return Optional.ofNullable(values.get(name));
    }

    public Optional<Double> findDouble(String name) {
        return Optional.ofNullable((Double) values.get(name));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Options other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
