package dev.lathe.train.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBoardWriterTest {

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(1_700_000_000_250L);

    @Test
    void theFileIsNamedAsTensorBoardNamesItAndStartsWithTheVersion() throws IOException {
        try (TensorBoardWriter writer = TensorBoardWriter.create(dir.resolve("logs"), clock)) {
            String name = writer.file().getFileName().toString();
            assertEquals("events.out.tfevents.1700000000." + TensorBoardWriter.hostName() + "."
                    + ProcessHandle.current().pid() + ".0", name);
            assertEquals(dir.resolve("logs"), writer.file().getParent());
            List<EventFileReader.Event> events = EventFileReader.events(writer.file());
            assertEquals(1, events.size(), "the version record is flushed at once");
            assertEquals("brain.Event:2", events.get(0).fileVersion());
            assertEquals(1_700_000_000.25, events.get(0).wallTime());
            assertEquals(0, events.get(0).step());
        }
    }

    @Test
    void twoWritersInOneSecondGetTwoFiles() throws IOException {
        try (TensorBoardWriter a = TensorBoardWriter.create(dir, clock); TensorBoardWriter b = TensorBoardWriter.create(dir, clock)) {
            assertNotEquals(a.file(), b.file());
            assertTrue(b.file().toString().endsWith(".1"), b.file().toString());
        }
    }

    @Test
    void scalarsDecodeToTagStepValueAndWallTime() throws IOException {
        Path file;
        try (TensorBoardWriter writer = TensorBoardWriter.create(dir, clock)) {
            file = writer.file();
            writer.scalar("loss/current", 0.125, 1);
            clock.advanceMillis(1500);
            writer.scalar("lr/unet", 1e-4, 300_000_000_000L); // a step past 32 bits: a long varint
            writer.scalar("loss/epoch", Double.NaN, 0);
        }
        List<EventFileReader.Event> events = EventFileReader.events(file);
        assertEquals(4, events.size());
        EventFileReader.Event loss = events.get(1);
        assertEquals(1, loss.step());
        assertEquals(1_700_000_000.25, loss.wallTime());
        assertEquals(List.of(new EventFileReader.Scalar("loss/current", 0.125f)), loss.scalars());
        assertNull(loss.fileVersion());
        EventFileReader.Event lr = events.get(2);
        assertEquals(300_000_000_000L, lr.step());
        assertEquals(1_700_000_001.75, lr.wallTime());
        assertEquals(List.of(new EventFileReader.Scalar("lr/unet", 1e-4f)), lr.scalars());
        assertEquals(0, events.get(3).step());
        assertTrue(Float.isNaN(events.get(3).scalars().get(0).value()));
    }

    @Test
    void eventsAreBufferedUntilFlushOrTwoMinutes() throws IOException {
        try (TensorBoardWriter writer = TensorBoardWriter.create(dir, clock)) {
            writer.scalar("a", 1, 1);
            assertEquals(1, EventFileReader.events(writer.file()).size(), "buffered");
            writer.flush();
            assertEquals(2, EventFileReader.events(writer.file()).size());
            writer.scalar("a", 2, 2);
            clock.advanceMillis(TensorBoardWriter.FLUSH_SECONDS * 1000L - 1);
            writer.scalar("a", 3, 3);
            assertEquals(2, EventFileReader.events(writer.file()).size(), "still within the interval");
            clock.advanceMillis(1);
            writer.scalar("a", 4, 4);
            assertEquals(5, EventFileReader.events(writer.file()).size(), "flushed once the interval passed");
        }
    }

    @Test
    void aSessionStartCarriesStatusStartAndItsStep() throws IOException {
        Path file;
        try (TensorBoardWriter writer = TensorBoardWriter.create(dir, clock)) {
            file = writer.file();
            writer.sessionStart(41, "resumed");
        }
        EventFileReader.Event start = EventFileReader.events(file).get(1);
        assertEquals(1, start.sessionStatus(), "SessionLog.START");
        assertEquals("resumed", start.sessionMessage());
        assertEquals(41, start.step());
        assertTrue(start.scalars().isEmpty());
    }

    @Test
    void aNegativeStepIsAProgrammingError() throws IOException {
        try (TensorBoardWriter writer = TensorBoardWriter.create(dir, clock)) {
            assertThrows(IllegalArgumentException.class, () -> writer.scalar("a", 1, -1));
        }
    }

    @Test
    void theHostNameIsSafeInAFileName() {
        String host = TensorBoardWriter.hostName();
        assertTrue(host.matches("[A-Za-z0-9._-]+"), host);
    }
}
