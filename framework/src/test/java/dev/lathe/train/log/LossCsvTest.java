package dev.lathe.train.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossCsvTest {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("loss.csv");
    }

    private List<String> lines() throws IOException {
        return Files.readAllLines(file());
    }

    private static LossCsv.Row row(long step) {
        return new LossCsv.Row(step, (int) (step + 1) / 2, step / 10.0, step / 20.0, 1e-4, null);
    }

    @Test
    void eachRowIsOnDiskAsSoonAsItIsAppended() throws IOException {
        try (LossCsv csv = LossCsv.create(file())) {
            assertEquals(List.of(LossCsv.HEADER), lines());
            csv.append(new LossCsv.Row(1, 1, 0.1234, 0.1234, 1e-4, 5e-5));
            assertEquals(List.of("step,epoch,loss,avg_loss,lr_unet,lr_te", "1,1,0.1234,0.1234,1.0E-4,5.0E-5"), lines());
            csv.append(new LossCsv.Row(2, 1, 0.5, 0.31, 2e-4, null));
            assertEquals("2,1,0.5,0.31,2.0E-4,", lines().get(2), "a part that does not train has an empty cell");
            assertEquals(0, csv.droppedOnResume());
        }
    }

    @Test
    void createStartsOver() throws IOException {
        Files.writeString(file(), LossCsv.HEADER + "\n1,1,0.5,0.5,,\n");
        try (LossCsv csv = LossCsv.create(file())) {
            csv.append(row(1));
        }
        assertEquals(2, lines().size());
    }

    @Test
    void resumeKeepsRowsUpToTheSavedStepAndAppendsWithoutASecondHeader() throws IOException {
        try (LossCsv csv = LossCsv.create(file())) {
            for (long step = 1; step <= 7; step++) {
                csv.append(row(step));
            }
        }
        List<String> before = lines();
        try (LossCsv csv = LossCsv.resume(file(), 4)) {
            assertEquals(3, csv.droppedOnResume(), "steps 5-7 were logged but never saved");
            assertEquals(before.subList(0, 5), lines());
            csv.append(row(5));
        }
        List<String> after = lines();
        assertEquals(6, after.size());
        assertEquals(1, after.stream().filter(LossCsv.HEADER::equals).count());
        assertEquals(before.get(5), after.get(5), "step 5 logged again, once");
    }

    @Test
    void resumeAtTheLastLoggedStepChangesNothing() throws IOException {
        try (LossCsv csv = LossCsv.create(file())) {
            csv.append(row(1));
            csv.append(row(2));
        }
        long modified = Files.getLastModifiedTime(file()).toMillis();
        String content = Files.readString(file());
        try (LossCsv csv = LossCsv.resume(file(), 2)) {
            assertEquals(0, csv.droppedOnResume());
        }
        assertEquals(content, Files.readString(file()));
        assertEquals(modified, Files.getLastModifiedTime(file()).toMillis());
    }

    @Test
    void aRowTheKillCutOffIsDropped() throws IOException {
        Files.writeString(file(), LossCsv.HEADER + "\n1,1,0.5,0.5,1.0E-4,\n2,1,0.25,0.37");
        try (LossCsv csv = LossCsv.resume(file(), 10)) {
            assertEquals(1, csv.droppedOnResume());
            csv.append(row(2));
        }
        assertEquals(List.of(LossCsv.HEADER, "1,1,0.5,0.5,1.0E-4,", "2,1,0.2,0.1,1.0E-4,"), lines());
    }

    @Test
    void resumingWithoutAFileStartsOne() throws IOException {
        try (LossCsv csv = LossCsv.resume(file(), 5)) {
            csv.append(row(6));
        }
        assertEquals(List.of(LossCsv.HEADER, "6,3,0.6,0.3,1.0E-4,"), lines());
    }

    @Test
    void aFileWithAnotherHeaderIsNotContinued() throws IOException {
        Files.writeString(file(), "time,value\n1,2\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> LossCsv.resume(file(), 1));
        assertTrue(e.getMessage().startsWith("The loss log " + file()), e.getMessage());
        assertEquals("time,value", lines().get(0), "left as it was");
    }
}
