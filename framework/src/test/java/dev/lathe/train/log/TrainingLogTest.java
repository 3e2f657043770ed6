package dev.lathe.train.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.train.log.EventFileReader.Event;
import dev.lathe.train.log.EventFileReader.Scalar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLogTest {

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(1_700_000_000_000L);

    private Path csv() {
        return dir.resolve("loss.csv");
    }

    private Path logs() {
        return dir.resolve("logs");
    }

    /** Every (tag, step, value) after the version record; values are floats, printed as such. */
    private static List<String> scalars(Path file) throws IOException {
        return EventFileReader.events(file).stream().skip(1)
                .flatMap(e -> e.scalars().stream().map(s -> s.tag() + "@" + e.step() + "=" + s.value())).toList();
    }

    @Test
    void stepsAndEpochsUseKohyasTagsAndTheEpochEndFlushes() throws IOException {
        Path events;
        try (TrainingLog log = TrainingLog.open(logs(), csv(), LossCsv.create(csv()), -1, clock)) {
            events = log.eventFile();
            log.step(1, 1, 0.5, 0.5, 1e-4, 5e-5);
            log.step(2, 1, 0.25, 0.375, 1e-4, 5e-5);
            assertEquals(List.of(), scalars(events), "buffered within the epoch");
            log.epochEnd(1, 0.375);
            assertEquals(List.of("loss/current@1=0.5", "loss/average@1=0.5", "lr/unet@1=1.0E-4", "lr/textencoder@1=5.0E-5",
                    "loss/current@2=0.25", "loss/average@2=0.375", "lr/unet@2=1.0E-4", "lr/textencoder@2=5.0E-5",
                    "loss/epoch@1=0.375"), scalars(events));
            log.step(3, 2, 0.125, 0.25, 2e-4, null);
        }
        List<String> all = scalars(events);
        assertEquals(List.of("loss/current@3=0.125", "loss/average@3=0.25", "lr/unet@3=2.0E-4"),
                all.subList(9, all.size()),
                "closing flushed; no text-encoder rate when it does not train");
        assertEquals(List.of(LossCsv.HEADER, "1,1,0.5,0.5,1.0E-4,5.0E-5", "2,1,0.25,0.375,1.0E-4,5.0E-5",
                "3,2,0.125,0.25,2.0E-4,"), Files.readAllLines(csv()));
    }

    @Test
    void aResumedRunMarksTheRestartAndTruncatesTheCsv() throws IOException {
        try (TrainingLog log = TrainingLog.start(logs(), csv())) {
            for (int step = 1; step <= 6; step++) {
                log.step(step, 1, 1.0 / step, 1.0 / step, 1e-4, null);
            }
        }
        clock.advanceMillis(5_000);
        Path resumed;
        try (TrainingLog log = TrainingLog.open(logs(), csv(), LossCsv.resume(csv(), 4), 4, clock)) {
            resumed = log.eventFile();
            assertEquals(2, log.droppedOnResume());
            log.step(5, 1, 0.2, 0.2, 1e-4, null);
        }
        try (Stream<Path> files = Files.list(logs())) {
            assertEquals(2, files.filter(p -> p.getFileName().toString().contains("tfevents")).count(),
                    "a new event file beside the first");
        }
        List<Event> events = EventFileReader.events(resumed);
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        assertEquals(1, events.get(1).sessionStatus(), "SessionLog.START");
        assertEquals(5, events.get(1).step(), "TensorBoard hides earlier events from step 5 on");
        assertEquals(new Scalar("loss/current", 0.2f), events.get(2).scalars().get(0));
        List<String> rows = Files.readAllLines(csv());
        assertEquals(6, rows.size());
        assertTrue(rows.get(5).startsWith("5,1,0.2,"), rows.get(5));
    }
}
