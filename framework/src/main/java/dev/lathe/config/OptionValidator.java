package dev.lathe.config;

import dev.lathe.api.ArtifactRef;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.api.Plugin;
import dev.lathe.api.PluginChoice;
import dev.lathe.config.Node.ArrayNode;
import dev.lathe.config.Node.BooleanNode;
import dev.lathe.config.Node.Field;
import dev.lathe.config.Node.Location;
import dev.lathe.config.Node.NullNode;
import dev.lathe.config.Node.NumberNode;
import dev.lathe.config.Node.ObjectNode;
import dev.lathe.config.Node.StringNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks JSON values against {@link OptionSpec}s and converts them to the Java types
 * {@link Options} hands out. Every problem is recorded, with its location, and checking goes on;
 * an invalid value is left out of the result.
 */
final class OptionValidator {

    /** The field naming the plugin in the object form of a plugin choice. */
    private static final OptionSpec PLUGIN_ID = OptionSpec.string("id", null, "The plugin's id").mandatory();

    /** What {@code stage.output} looks like; anything else can only be a file. */
    private static final Pattern STAGE_OUTPUT = Pattern.compile("(" + ConfigFields.STAGE_NAME_PATTERN + ")\\.([A-Za-z0-9_-]+)");

    private final Path baseDir;
    private final PluginCatalog catalog;
    private final Problems problems;

    /**
     * @param baseDir the config file's folder: relative paths are resolved against it
     */
    OptionValidator(Path baseDir, PluginCatalog catalog, Problems problems) {
        this.baseDir = baseDir;
        this.catalog = catalog;
        this.problems = problems;
    }

    /**
     * Checks an object's fields against {@code specs}: rejects unknown fields, reports missing
     * required ones and fills in defaults.
     *
     * @param checkedElsewhere fields the caller checks itself: known, but left out of the result
     */
    Options object(ObjectNode node, List<OptionSpec> specs, Scope scope, Set<String> checkedElsewhere) {
        List<String> names = specs.stream().map(OptionSpec::name).toList();
        for (Field field : node.fields()) {
            if (!names.contains(field.name())) {
                problems.add(field.nameLocation(), Messages.end("unknown field " + Messages.quote(field.name()) + scope.objectSuffix()
                        + Messages.didYouMean(field.name(), names)) + " Valid fields: " + Messages.list(names) + ".");
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (OptionSpec spec : specs) {
            if (checkedElsewhere.contains(spec.name())) {
                continue;
            }
            Optional<Node> given = node.field(spec.name()).map(Field::value).filter(v -> !(v instanceof NullNode));
            String path = scope.path(spec.name());
            if (given.isEmpty() && spec.required()) {
                missing(node, spec, scope);
            } else {
                Optional<Object> value = given.isPresent()
                        ? value(given.get(), spec, path, scope)
                        : defaultValue(spec, path, scope, node.location());
                value.ifPresent(v -> values.put(spec.name(), v));
            }
        }
        return Options.of(values);
    }

    /** Reports a required field as missing (or null), pointing at the object, or at the null. */
    void missing(ObjectNode node, OptionSpec spec, Scope scope) {
        Location at = node.field(spec.name()).map(f -> f.value().location()).orElse(node.location());
        problems.add(at, "missing required field " + Messages.quote(spec.name()) + scope.objectSuffix()
                + ": " + lowerFirst(spec.description()) + ".");
    }

    /** Looks up the plugin an id names, reporting an unknown id with the ids that exist. */
    <T extends Plugin> Optional<T> plugin(Class<T> kind, StringNode id, String path, Scope scope) {
        Optional<T> plugin = catalog.find(kind, id.value());
        if (plugin.isEmpty()) {
            List<String> ids = catalog.ids(kind);
            String kindName = Messages.kindName(kind);
            problems.add(id.location(), Messages.quote(path) + scope.valueSuffix() + " names " + Messages.quote(id.value())
                    + Messages.end(", which is not an installed " + kindName + Messages.didYouMean(id.value(), ids))
                    + (ids.isEmpty() ? " No " + kindName + " is installed." : " Installed: " + Messages.list(ids) + "."));
        }
        return plugin;
    }

    /** A given value; {@code node} is not null JSON. */
    Optional<Object> value(Node node, OptionSpec spec, String path, Scope scope) {
        return switch (spec.kind()) {
            case STRING -> text(node, path, scope, "a string").map(s -> s);
            case INTEGER -> integer(node, spec, path, scope);
            case NUMBER -> number(node, spec, path, scope);
            case BOOLEAN -> node instanceof BooleanNode b ? Optional.of(b.value()) : wrong(node, path, scope, "true or false");
            case CHOICE -> choice(node, spec, path, scope);
            case PATH -> nonEmptyText(node, path, scope, "a path").flatMap(s -> path(s, node, path, scope)).map(p -> p);
            case ARTIFACT -> nonEmptyText(node, path, scope, "a file path or a stage output such as \"base3d.best\"")
                    .flatMap(s -> artifact(s, node, path, scope)).map(a -> a);
            case PLUGIN -> pluginChoice(node, spec, path, scope).map(c -> c);
            case LIST -> list(node, spec, path, scope);
            case OBJECT -> node instanceof ObjectNode o
                    ? Optional.of(object(o, spec.fields(), scope.nested(path, null), Set.of()))
                    : wrong(node, path, scope, "an object");
        };
    }

    /** The value of an absent field: its default, converted like a given value would be. */
    private Optional<Object> defaultValue(OptionSpec spec, String path, Scope scope, Location objectAt) {
        Object value = spec.defaultValue();
        if (value == null) {
            return Optional.empty();
        }
        return switch (spec.kind()) {
            case INTEGER -> Optional.of(((Number) value).longValue());
            case NUMBER -> Optional.of(((Number) value).doubleValue());
            case PATH -> Optional.of(resolve(value.toString()));
            case LIST -> Optional.of(value instanceof List<?> list ? List.copyOf(list) : List.of(value));
            case PLUGIN -> value instanceof PluginChoice ? Optional.of(value) : defaultPlugin(spec, value.toString(), path, scope, objectAt);
            default -> Optional.of(value);
        };
    }

    private Optional<Object> defaultPlugin(OptionSpec spec, String id, String path, Scope scope, Location objectAt) {
        Optional<? extends Plugin> plugin = catalog.find(spec.pluginKind(), id);
        if (plugin.isEmpty()) {
            List<String> ids = catalog.ids(spec.pluginKind());
            problems.add(objectAt, Messages.quote(path) + scope.valueSuffix() + " is not given and its default, "
                    + Messages.quote(id) + ", is not an installed " + Messages.kindName(spec.pluginKind())
                    + "; name one of: " + Messages.list(ids) + ".");
            return Optional.empty();
        }
        return Optional.of(pluginOptions(plugin.get(), new ObjectNode(objectAt, List.of()), path, scope));
    }

    private Optional<Object> wrong(Node node, String path, Scope scope, String expected) {
        problems.add(node.location(), Messages.quote(path) + scope.valueSuffix() + " must be " + expected + ", got " + node.describe() + ".");
        return Optional.empty();
    }

    private Optional<String> text(Node node, String path, Scope scope, String expected) {
        if (node instanceof StringNode s) {
            return Optional.of(s.value());
        }
        wrong(node, path, scope, expected);
        return Optional.empty();
    }

    private Optional<String> nonEmptyText(Node node, String path, Scope scope, String expected) {
        return node instanceof StringNode s && s.value().isBlank()
                ? wrong(node, path, scope, expected).map(Object::toString)
                : text(node, path, scope, expected);
    }

    private Optional<Object> integer(Node node, OptionSpec spec, String path, Scope scope) {
        if (!(node instanceof NumberNode n) || !n.integral()) {
            return wrong(node, path, scope, "a whole number");
        }
        BigInteger value = new BigInteger(n.text());
        if (value.bitLength() >= Long.SIZE) {
            return wrong(node, path, scope, "a whole number between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE);
        }
        return inRange(node, spec, path, scope, value.longValue()).map(v -> value.longValue());
    }

    private Optional<Object> number(Node node, OptionSpec spec, String path, Scope scope) {
        if (!(node instanceof NumberNode n)) {
            return wrong(node, path, scope, "a number");
        }
        double value = Double.parseDouble(n.text());
        if (Double.isInfinite(value)) {
            return wrong(node, path, scope, "a number of sensible size");
        }
        return inRange(node, spec, path, scope, value).map(v -> value);
    }

    private Optional<Object> inRange(Node node, OptionSpec spec, String path, Scope scope, double value) {
        Double min = spec.min();
        Double max = spec.max();
        if ((min == null || value >= min) && (max == null || value <= max)) {
            return Optional.of(value);
        }
        String range = min != null && max != null ? "between " + Messages.number(min) + " and " + Messages.number(max)
                : min != null ? "at least " + Messages.number(min) : "at most " + Messages.number(max);
        return wrong(node, path, scope, range);
    }

    private Optional<Object> choice(Node node, OptionSpec spec, String path, Scope scope) {
        String expected = "one of " + Messages.list(spec.choices());
        Optional<String> text = text(node, path, scope, expected);
        if (text.isPresent() && !spec.choices().contains(text.get())) {
            String hint = Messages.didYouMean(text.get(), spec.choices());
            problems.add(node.location(), Messages.quote(path) + scope.valueSuffix() + " must be " + expected
                    + Messages.end(", got " + node.describe() + hint));
            return Optional.empty();
        }
        return text.map(t -> t);
    }

    private Optional<Object> list(Node node, OptionSpec spec, String path, Scope scope) {
        if (!(node instanceof ArrayNode array)) {
            // A single value stands for a list of one: "merge": {...} as well as "merge": [{...}].
            return value(node, spec.element(), path, scope).map(List::of);
        }
        List<Object> elements = new ArrayList<>();
        boolean valid = true;
        for (int i = 0; i < array.elements().size(); i++) {
            Node element = array.elements().get(i);
            String elementPath = path + "[" + i + "]";
            Optional<Object> value = element instanceof NullNode
                    ? wrong(element, elementPath, scope, "a value")
                    : value(element, spec.element(), elementPath, scope);
            value.ifPresent(elements::add);
            valid &= value.isPresent();
        }
        return valid ? Optional.of(List.copyOf(elements)) : Optional.empty();
    }

    private Optional<PluginChoice> pluginChoice(Node node, OptionSpec spec, String path, Scope scope) {
        if (node instanceof StringNode id) {
            return plugin(spec.pluginKind(), id, path, scope)
                    .map(p -> pluginOptions(p, new ObjectNode(node.location(), List.of()), path, scope));
        }
        if (node instanceof ObjectNode object) {
            Optional<Node> id = object.field(PLUGIN_ID.name()).map(Field::value);
            if (id.isEmpty() || id.get() instanceof NullNode) {
                problems.add(object.location(), "missing required field \"id\" in " + Messages.quote(path) + scope.valueSuffix()
                        + ": the id of the " + Messages.kindName(spec.pluginKind()) + " to use. Installed: "
                        + Messages.list(catalog.ids(spec.pluginKind())) + ".");
                return Optional.empty();
            }
            if (!(id.get() instanceof StringNode idText)) {
                wrong(id.get(), path + ".id", scope, "a plugin id (a string)");
                return Optional.empty();
            }
            return plugin(spec.pluginKind(), idText, path, scope).map(p -> pluginOptions(p, object, path, scope));
        }
        wrong(node, path, scope, "a plugin id or an object with an \"id\" field and the plugin's options");
        return Optional.empty();
    }

    /** The plugin's options as given in {@code object} (its {@code id} field aside), defaults filled in. */
    private PluginChoice pluginOptions(Plugin plugin, ObjectNode object, String path, Scope scope) {
        List<OptionSpec> specs = Stream.concat(Stream.of(PLUGIN_ID), plugin.options().stream()).toList();
        Options options = object(object, specs, scope.nested(path, "plugin " + plugin.id()), Set.of(PLUGIN_ID.name()));
        return new PluginChoice(plugin.id(), options);
    }

    private Optional<Path> path(String text, Node node, String path, Scope scope) {
        try {
            return Optional.of(resolve(text));
        } catch (InvalidPathException e) {
            wrong(node, path, scope, "a valid path (" + e.getReason() + ")");
            return Optional.empty();
        }
    }

    /** A path as written in the config: relative to the config's folder; {@code ~} is the home folder. */
    Path resolve(String text) {
        if (text.equals("~") || text.startsWith("~/")) {
            return Path.of(System.getProperty("user.home")).resolve(text.substring(1).replaceFirst("^/", "")).normalize();
        }
        return baseDir.resolve(text).normalize();
    }

    /**
     * An artifact: {@code stage.output} of an earlier stage, else an existing file. A value that
     * looks like a stage output but is neither gets the most helpful explanation we can give.
     */
    private Optional<ArtifactRef> artifact(String text, Node node, String path, Scope scope) {
        Upstream upstream = scope.upstream();
        Matcher reference = STAGE_OUTPUT.matcher(text);
        Optional<Upstream.Stage> stage = reference.matches() ? upstream.earlier(reference.group(1)) : Optional.empty();
        if (stage.isPresent() && (stage.get().outputs() == null || stage.get().outputs().contains(reference.group(2)))) {
            return Optional.of(ArtifactRef.stageOutput(reference.group(1), reference.group(2)));
        }
        Optional<Path> file = path(text, node, path, scope);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        if (Files.exists(file.get())) {
            return file.map(ArtifactRef::file);
        }
        String start = Messages.quote(path) + scope.valueSuffix() + " names " + Messages.quote(text);
        String message;
        if (stage.isPresent()) {
            List<String> outputs = stage.get().outputs().stream().sorted().toList();
            message = Messages.end(start + ", but stage " + Messages.quote(stage.get().name()) + " has no output "
                    + Messages.quote(reference.group(2)) + Messages.didYouMean(reference.group(2), outputs))
                    + " Its outputs: " + Messages.list(outputs) + ".";
        } else if (reference.matches() && upstream.later().contains(reference.group(1))) {
            message = start + ", but stage " + Messages.quote(reference.group(1)) + " comes later in the pipeline;"
                    + " a stage can only use outputs of stages before it. " + upstream.describeBefore();
        } else if (reference.matches()) {
            message = Messages.end(start + ", which is neither an existing file (" + file.get() + ") nor an output of an earlier stage"
                    + Messages.didYouMean(text, upstream.references())) + " " + upstream.describeBefore();
        } else {
            message = start + ": the file " + file.get() + " does not exist.";
        }
        problems.add(node.location(), message);
        return Optional.empty();
    }

    private static String lowerFirst(String sentence) {
        return sentence.isEmpty() ? sentence : Character.toLowerCase(sentence.charAt(0)) + sentence.substring(1);
    }
}
