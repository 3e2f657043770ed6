package dev.lathe.config;

import java.util.List;
import java.util.Optional;

/**
 * A JSON value that remembers where it was written, so that every problem found while checking a
 * config can point at its line and column (Jackson's own tree forgets locations).
 */
sealed interface Node {

    /** Line and column (both from 1) of the value's first character. */
    record Location(int line, int column) implements Comparable<Location> {
        @Override
        public int compareTo(Location other) {
            return line != other.line ? Integer.compare(line, other.line) : Integer.compare(column, other.column);
        }
    }

    Location location();

    /** The value as an error message names it: {@code the string "eight"}, {@code an array}. */
    String describe();

    /** A field of an object; the name's own location is where "unknown field" points. */
    record Field(String name, Location nameLocation, Node value) {
    }

    record ObjectNode(Location location, List<Field> fields) implements Node {
        public ObjectNode {
            fields = List.copyOf(fields);
        }

        Optional<Field> field(String name) {
            return fields.stream().filter(f -> f.name().equals(name)).findFirst();
        }

        @Override
        public String describe() {
            return "an object";
        }
    }

    record ArrayNode(Location location, List<Node> elements) implements Node {
        public ArrayNode {
            elements = List.copyOf(elements);
        }

        @Override
        public String describe() {
            return "an array";
        }
    }

    record StringNode(Location location, String value) implements Node {
        @Override
        public String describe() {
            return "the string " + Messages.quote(value);
        }
    }

    /**
     * A number as written; {@code integral} when it has neither fraction nor exponent
     * ({@code 8}, not {@code 8.0} or {@code 8e0}), which is what an INTEGER option accepts.
     */
    record NumberNode(Location location, String text, boolean integral) implements Node {
        @Override
        public String describe() {
            return "the number " + text;
        }
    }

    record BooleanNode(Location location, boolean value) implements Node {
        @Override
        public String describe() {
            return "the value " + value;
        }
    }

    record NullNode(Location location) implements Node {
        @Override
        public String describe() {
            return "null";
        }
    }
}
