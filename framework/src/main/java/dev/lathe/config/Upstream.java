package dev.lathe.config;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The stages a stage can see: those before it, whose outputs it may use as {@code stage.output},
 * and the names of those after it, only to explain a forward reference.
 *
 * @param before the earlier stages, in order
 * @param later  the names of the stages after the current one
 */
record Upstream(List<Stage> before, Set<String> later) {

    static final Upstream NONE = new Upstream(List.of(), Set.of());

    /**
     * An earlier stage.
     *
     * @param outputs its type's outputs, or {@code null} when its type is unknown (already
     *                reported; references to it are then not checked further)
     */
    record Stage(String name, Set<String> outputs) {
        /** {@code base3d (best, last)}. */
        String describe() {
            return outputs == null ? name : name + " (" + Messages.list(outputs.stream().sorted().toList()) + ")";
        }
    }

    Upstream {
        before = List.copyOf(before);
        later = Set.copyOf(later);
    }

    Optional<Stage> earlier(String name) {
        return before.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Every {@code stage.output} that can be referenced here. */
    List<String> references() {
        return before.stream().filter(s -> s.outputs() != null)
                .flatMap(s -> s.outputs().stream().sorted().map(o -> s.name() + "." + o)).toList();
    }

    /** {@code Stages before it: base3d (best, last), ...}, or that there are none. */
    String describeBefore() {
        return before.isEmpty() ? "No stage comes before it."
                : "Stages before it: " + Messages.list(before.stream().map(Stage::describe).toList()) + ".";
    }
}
