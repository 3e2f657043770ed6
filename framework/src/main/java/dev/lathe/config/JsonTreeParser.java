package dev.lathe.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.lathe.config.Node.ArrayNode;
import dev.lathe.config.Node.BooleanNode;
import dev.lathe.config.Node.Field;
import dev.lathe.config.Node.Location;
import dev.lathe.config.Node.NullNode;
import dev.lathe.config.Node.NumberNode;
import dev.lathe.config.Node.ObjectNode;
import dev.lathe.config.Node.StringNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads JSON text into a {@link Node} tree with Jackson's streaming parser. People edit pipeline
 * configs by hand, so {@code //} and {@code /* *}{@code /} comments and trailing commas are
 * allowed. A field given twice is a problem (plain JSON would silently keep the last).
 */
final class JsonTreeParser {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .build();

    private final Problems problems;

    JsonTreeParser(Problems problems) {
        this.problems = problems;
    }

    /**
     * Parses {@code text}, which must hold exactly one JSON value. Malformed JSON is recorded as a
     * problem and gives an empty result: nothing else can be checked then.
     */
    Optional<Node> parse(String text) {
        // Parsing characters, not bytes, makes Jackson count columns the way editors do.
        String json = text.startsWith("\uFEFF") ? text.substring(1) : text;
        try (JsonParser parser = FACTORY.createParser(json)) {
            if (parser.nextToken() == null) {
                problems.add(new Location(1, 1), "the file holds no JSON; a pipeline config is an object: { \"stages\": [ ... ] }.");
                return Optional.empty();
            }
            Node root = value(parser);
            if (parser.nextToken() != null) {
                problems.add(location(parser.currentTokenLocation()),
                        "malformed JSON: more content after the end of the top-level value; remove it or fix the braces before it.");
                return Optional.empty();
            }
            return Optional.of(root);
        } catch (JsonProcessingException e) {
            problems.add(location(e.getLocation()), "malformed JSON: " + readable(e.getOriginalMessage()) + ".");
            return Optional.empty();
        } catch (IOException e) {
            // Parsing a String performs no I/O; keep the compiler and any surprise honest.
            throw new IllegalStateException(e);
        }
    }

    /** Reads the value whose first token is the parser's current one. */
    private Node value(JsonParser parser) throws IOException {
        Location at = location(parser.currentTokenLocation());
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> object(parser, at);
            case START_ARRAY -> array(parser, at);
            case VALUE_STRING -> new StringNode(at, parser.getText());
            case VALUE_NUMBER_INT -> new NumberNode(at, parser.getText(), true);
            case VALUE_NUMBER_FLOAT -> new NumberNode(at, parser.getText(), false);
            case VALUE_TRUE -> new BooleanNode(at, true);
            case VALUE_FALSE -> new BooleanNode(at, false);
            case VALUE_NULL -> new NullNode(at);
            default -> throw new IllegalStateException("unexpected JSON token " + token + " at " + at);
        };
    }

    private ObjectNode object(JsonParser parser, Location at) throws IOException {
        List<Field> fields = new ArrayList<>();
        Map<String, Location> seen = new HashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            Location nameAt = location(parser.currentTokenLocation());
            parser.nextToken();
            Node value = value(parser);
            Location first = seen.putIfAbsent(name, nameAt);
            if (first != null) {
                problems.add(nameAt, "the field " + Messages.quote(name) + " is given twice in this object (first on line "
                        + first.line() + "); keep one.");
            } else {
                fields.add(new Field(name, nameAt, value));
            }
        }
        return new ObjectNode(at, fields);
    }

    private ArrayNode array(JsonParser parser, Location at) throws IOException {
        List<Node> elements = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            elements.add(value(parser));
        }
        return new ArrayNode(at, elements);
    }

    private static Location location(JsonLocation location) {
        return location == null ? new Location(1, 1)
                : new Location(Math.max(1, location.getLineNr()), Math.max(1, location.getColumnNr()));
    }

    /**
     * Jackson's message without its internals: source descriptions inside nested locations
     * ("start marker at [Source: ...; line: 1, column: 1]") become "line 1, column 1".
     */
    private static String readable(String message) {
        return message.replaceAll("\\[Source: .*?; line: (\\d+), column: (\\d+)]", "line $1, column $2")
                .replace('\n', ' ');
    }
}
