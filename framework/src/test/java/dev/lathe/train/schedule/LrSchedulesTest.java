package dev.lathe.train.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every schedule of {@code fixtures/train/lr_schedules.json} (a copy in test resources): 101
 * learning rates, index = optimizer step, as transformers' schedule functions compute them.
 */
class LrSchedulesTest {

    private static final double TOLERANCE = 1e-12;

    static Stream<Arguments> fixtureSchedules() throws IOException {
        JsonNode root = fixture();
        List<Arguments> cases = new ArrayList<>();
        root.get("schedules").fields().forEachRemaining(e -> cases.add(Arguments.of(e.getKey(), e.getValue())));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtureSchedules")
    void reproducesTheFixture(String fixtureName, JsonNode schedule) throws IOException {
        JsonNode root = fixture();
        double baseLr = root.get("base_lr").asDouble();
        JsonNode params = schedule.get("params");
        LrScheduleSettings settings = LrScheduleSettings.of(params.path("num_warmup_steps").asLong(0),
                params.path("num_training_steps").asLong(root.get("num_training_steps").asLong()), baseLr);
        if (params.has("num_cycles")) {
            settings = settings.withNumCycles(params.get("num_cycles").asDouble());
        }
        if (params.has("power")) {
            settings = settings.withPower(params.get("power").asDouble()).withLrEnd(params.get("lr_end").asDouble());
        }
        String kohyaName = fixtureName.replace("_nowarmup", "");
        LrSchedule lrSchedule = LrSchedules.create(kohyaName, settings);

        JsonNode lr = schedule.get("lr");
        JsonNode multiplier = schedule.get("multiplier");
        assertEquals(101, lr.size());
        for (int step = 0; step < lr.size(); step++) {
            assertEquals(multiplier.get(step).asDouble(), lrSchedule.multiplier(step), TOLERANCE,
                    fixtureName + " multiplier at step " + step);
            assertEquals(lr.get(step).asDouble(), lrSchedule.learningRate(baseLr, step), TOLERANCE * baseLr,
                    fixtureName + " lr at step " + step);
        }
    }

    @Test
    void everyKohyaNameHasAFixture() throws IOException {
        JsonNode schedules = fixture().get("schedules");
        for (String name : LrSchedules.names()) {
            assertTrue(schedules.has(name), name);
        }
    }

    @Test
    void warmupStartsAtZeroAndCosineWithRestartsRestarts() {
        LrSchedule restarts = LrSchedules.create("cosine_with_restarts",
                LrScheduleSettings.of(0, 90, 1e-4).withNumCycles(3));
        assertEquals(1.0, restarts.multiplier(0), 0);
        assertEquals(1.0, restarts.multiplier(30), 1e-12, "second cycle starts at the top");
        assertTrue(restarts.multiplier(29) < 0.01);
        assertEquals(0.0, restarts.multiplier(90), 0);
        assertEquals(0.0, LrSchedules.create("linear", LrScheduleSettings.of(5, 50, 1e-4)).multiplier(0), 0);
    }

    @Test
    void polynomialEndsAtLrEndNotZero() {
        LrSchedule poly = LrSchedules.create("polynomial", LrScheduleSettings.of(0, 100, 1e-4));
        assertEquals(1e-7, poly.learningRate(1e-4, 100), 1e-20);
        assertEquals(1e-7, poly.learningRate(1e-4, 1000), 1e-20);
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> LrSchedules.create("cosine_annealing", LrScheduleSettings.of(0, 10, 1e-4)));
        for (String name : LrSchedules.names()) {
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        assertTrue(e.getMessage().contains("\"cosine_annealing\""), e.getMessage());
    }

    @Test
    void badSettingsAreUserErrors() {
        Map<String, LrScheduleSettings> bad = Map.of(
                "constant", LrScheduleSettings.of(10, 100, 1e-4),
                "linear", LrScheduleSettings.of(200, 100, 1e-4),
                "cosine", LrScheduleSettings.of(0, 0, 1e-4),
                "polynomial", LrScheduleSettings.of(0, 100, 1e-8),
                "cosine_with_restarts", LrScheduleSettings.of(0, 100, 1e-4).withNumCycles(0));
        bad.forEach((name, settings) -> assertThrows(InvalidInputException.class,
                () -> LrSchedules.create(name, settings), name));
    }

    private static JsonNode fixture() throws IOException {
        try (InputStream in = LrSchedulesTest.class.getResourceAsStream("/train/lr_schedules.json")) {
            return new ObjectMapper().readTree(in);
        }
    }
}
