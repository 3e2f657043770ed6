package dev.lathe.config;

import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.config.Node.ArrayNode;
import dev.lathe.config.Node.Field;
import dev.lathe.config.Node.ObjectNode;
import dev.lathe.config.Node.StringNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks the {@code stages} array: each stage's name and type, then its fields against its type's
 * options. Stages are checked in order so that a {@code stage.output} reference can only see the
 * stages before it.
 */
final class StageListReader {

    private static final Set<String> HEADER = ConfigFields.STAGE.stream().map(OptionSpec::name).collect(Collectors.toSet());

    private final OptionValidator validator;
    private final PluginCatalog catalog;
    private final Problems problems;

    StageListReader(OptionValidator validator, PluginCatalog catalog, Problems problems) {
        this.validator = validator;
        this.catalog = catalog;
        this.problems = problems;
    }

    /** The valid stages of the config {@code root}. */
    List<StageConfig> read(ObjectNode root) {
        Optional<Node> stagesNode = root.field(ConfigFields.STAGES.name()).map(Field::value).filter(v -> !(v instanceof Node.NullNode));
        if (stagesNode.isEmpty()) {
            validator.missing(root, ConfigFields.STAGES, Scope.topLevel());
            return List.of();
        }
        // Like any list, a single stage object stands for a list of one.
        List<Node> elements = stagesNode.get() instanceof ArrayNode array ? array.elements() : List.of(stagesNode.get());
        if (elements.isEmpty()) {
            problems.add(stagesNode.get().location(), "\"stages\" is empty; a pipeline needs at least one stage.");
        }
        List<String> names = elements.stream().map(StageListReader::declaredName).toList();

        List<StageConfig> stages = new ArrayList<>();
        List<Upstream.Stage> before = new ArrayList<>();
        Map<String, Node> firstUse = new HashMap<>();
        for (int i = 0; i < elements.size(); i++) {
            if (!(elements.get(i) instanceof ObjectNode stage)) {
                problems.add(elements.get(i).location(), "each entry of \"stages\" must be an object with a name, a type"
                        + " and the type's options, got " + elements.get(i).describe() + ".");
                continue;
            }
            Upstream upstream = new Upstream(before, names.subList(i + 1, names.size()).stream()
                    .filter(Objects::nonNull).collect(Collectors.toSet()));
            String label = names.get(i) != null ? "stage " + Messages.quote(names.get(i)) : "stage #" + (i + 1);
            Optional<StageType> type = type(stage, label, upstream);
            Options options = type.isPresent()
                    ? validator.object(stage, specs(type.get()), Scope.stage(label, type.get().id(), upstream), Set.of())
                    // Without a type its options are unknown: check the name alone, not every field as "unknown".
                    : validator.object(headerOnly(stage), ConfigFields.STAGE, Scope.stage(label, null, upstream), Set.of());
            if (!validName(stage, firstUse)) {
                continue;
            }
            String name = options.getString("name");
            // A stage of unknown type stays visible, so that references to it add no second problem.
            before.add(new Upstream.Stage(name, type.map(StageType::outputs).orElse(null)));
            type.ifPresent(t -> stages.add(new StageConfig(name, t.id(), withoutHeader(options))));
        }
        return stages;
    }

    /** The stage's type, looked up when it is given as a string; other faults are the header check's to report. */
    private Optional<StageType> type(ObjectNode stage, String label, Upstream upstream) {
        return stage.field("type").map(Field::value)
                .filter(StringNode.class::isInstance).map(StringNode.class::cast)
                .flatMap(id -> validator.plugin(StageType.class, id, "type", Scope.stage(label, null, upstream)));
    }

    /**
     * Checks the name's form and that no earlier stage took it; records it as taken. A missing
     * or non-string name was already reported by the header check.
     */
    private boolean validName(ObjectNode stage, Map<String, Node> firstUse) {
        Optional<Node> node = stage.field("name").map(Field::value);
        if (node.isEmpty() || !(node.get() instanceof StringNode name)) {
            return false;
        }
        if (!name.value().matches(ConfigFields.STAGE_NAME_PATTERN)) {
            problems.add(name.location(), "the stage name " + Messages.quote(name.value()) + " is not allowed: a name starts"
                    + " with a letter and holds only letters, digits, '_' and '-' (other stages refer to its outputs as name.output).");
            return false;
        }
        Node first = firstUse.putIfAbsent(name.value(), name);
        if (first != null) {
            problems.add(name.location(), "the stage name " + Messages.quote(name.value()) + " is already used by the stage on line "
                    + first.location().line() + "; stage names must be unique.");
            return false;
        }
        return true;
    }

    /** The stage's fields: name and type, then the type's options (an option that reuses a header name is shadowed). */
    private static List<OptionSpec> specs(StageType type) {
        return Stream.concat(ConfigFields.STAGE.stream(), type.options().stream().filter(o -> !HEADER.contains(o.name()))).toList();
    }

    private static ObjectNode headerOnly(ObjectNode stage) {
        return new ObjectNode(stage.location(), stage.fields().stream().filter(f -> HEADER.contains(f.name())).toList());
    }

    private static Options withoutHeader(Options options) {
        Map<String, Object> values = new LinkedHashMap<>(options.asMap());
        values.keySet().removeAll(HEADER);
        return Options.of(values);
    }

    private static String declaredName(Node stage) {
        return stage instanceof ObjectNode object
                ? object.field("name").map(Field::value).filter(StringNode.class::isInstance)
                        .map(n -> ((StringNode) n).value()).orElse(null)
                : null;
    }
}
