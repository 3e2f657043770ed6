package dev.lathe.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The infotext layout and parser against {@code render/infotext_reference.json}: A1111's rules
 * run by Python's own {@code re} and {@code json} ({@code infotext_reference.py}), so regex and
 * JSON-escaping differences between Java and Python would show.
 */
class InfotextTest {

    private static JsonNode reference() throws IOException {
        try (InputStream in = InfotextTest.class.getResourceAsStream("/render/infotext_reference.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static Stream<Arguments> formatted() throws IOException {
        return Stream.of(reference().get("format").elements()).flatMap(it -> {
            Stream.Builder<Arguments> b = Stream.builder();
            it.forEachRemaining(c -> b.add(Arguments.of(c.get("name").asText(), c)));
            return b.build();
        });
    }

    static Stream<Arguments> parsedOnly() throws IOException {
        return Stream.of(reference().get("parse").elements()).flatMap(it -> {
            Stream.Builder<Arguments> b = Stream.builder();
            it.forEachRemaining(c -> b.add(Arguments.of(c.get("name").asText(), c)));
            return b.build();
        });
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formatted")
    void writesA1111sLayoutAndReadsItBackByA1111sRules(String name, JsonNode c) {
        String text = Infotext.format(c.get("prompt").asText(), c.get("negative").asText(), strings(c.get("parameters")));
        assertEquals(c.get("text").asText(), text);
        Map<String, String> parsed = Infotext.parse(text);
        assertEquals(strings(c.get("parsed")), parsed);
        assertEquals(String.join(",", strings(c.get("parsed")).keySet()), String.join(",", parsed.keySet()), "key order");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parsedOnly")
    void parsesA1111TextsAsA1111Does(String name, JsonNode c) {
        Map<String, String> parsed = Infotext.parse(c.get("text").asText());
        assertEquals(strings(c.get("parsed")), parsed);
        assertEquals(String.join(",", strings(c.get("parsed")).keySet()), String.join(",", parsed.keySet()), "key order");
    }

    @Test
    void quotesOnlyWhatA1111Quotes() {
        assertEquals("Euler a", Infotext.quote("Euler a"));
        assertEquals("\"a, b\"", Infotext.quote("a, b"));
        assertEquals("\"a: b\"", Infotext.quote("a: b"));
        assertEquals("\"a\\nb\"", Infotext.quote("a\nb"));
        assertEquals("say \"hi\"", Infotext.quote("say \"hi\""), "quotes alone do not make A1111 quote");
        assertEquals("a, b", Infotext.unquote(Infotext.quote("a, b")));
        assertEquals("\"not json\\q\"", Infotext.unquote("\"not json\\q\""));
    }
}
