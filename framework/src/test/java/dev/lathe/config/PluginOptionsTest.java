package dev.lathe.config;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.api.Plugin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginOptionsTest {

    private final Plugin plugin = new Plugin() {
        @Override
        public String id() {
            return "example";
        }

        @Override
        public String description() {
            return "an example";
        }

        @Override
        public List<OptionSpec> options() {
            return List.of(OptionSpec.number("eps", 1e-8, "a number"),
                    OptionSpec.list("betas", OptionSpec.number("beta", null, "a beta"), "two numbers")
                            .withDefault(List.of(0.9, 0.999)),
                    OptionSpec.integer("steps", 10, "whole number"),
                    OptionSpec.number("beta1", (Double) null, "optional"));
        }
    };

    @Test
    void fillsInDefaultsAndLeavesOptionalOnesAbsent() {
        Options o = PluginOptions.complete(plugin, Options.of(Map.of("eps", 1e-6)));
        assertEquals(1e-6, o.getDouble("eps"));
        assertEquals(List.of(0.9, 0.999), o.getList("betas"));
        assertEquals(10L, o.getLong("steps"));
        assertFalse(o.has("beta1"));
    }

    @Test
    void normalizesNumbersToTheirKind() {
        Options o = PluginOptions.complete(plugin, Options.of(Map.of("eps", 1, "betas", List.of(0, 1), "steps", 3)));
        assertEquals(1.0, o.getDouble("eps"));
        assertEquals(List.of(0.0, 1.0), o.getList("betas"));
        assertEquals(3L, o.getLong("steps"));
    }

    @Test
    void unknownNamesAreListedWithTheValidOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> PluginOptions.complete(plugin, Options.of(Map.of("epsilon", 1.0, "beta_1", 0.9, "eps", 1.0))));
        String message = e.getMessage();
        assertTrue(message.contains("\"epsilon\"") && message.contains("\"beta_1\""), message);
        assertTrue(message.contains("example"), message);
        assertTrue(message.contains("eps, betas, steps, beta1"), message);
    }
}
