package dev.lathe.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.pipeline.Progress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private long now = TimeUnit.HOURS.toNanos(5);

    private ConsoleProgress console(boolean terminal) {
        return new ConsoleProgress(stream, terminal, () -> now);
    }

    private void pass(double seconds) {
        now += (long) (seconds * 1e9);
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shortTasksStayQuiet() {
        for (boolean terminal : List.of(true, false)) {
            try (Progress progress = console(terminal).start("caption", 10)) {
                for (int i = 0; i < 10; i++) {
                    pass(0.19);
                    progress.advance(1);
                }
            }
        }
        assertEquals("", printed());
    }

    @Test
    void aTerminalIsRedrawnInPlaceAtMostFiveTimesASecond() {
        Progress progress = console(true).start("base3d: epoch 1", 420);
        pass(2.1);
        progress.advance(42);
        assertEquals("\rbase3d: epoch 1 [##----------------------]  42/420  10%  20.00 it/s  0:02<0:19", printed());

        for (int i = 0; i < 100; i++) {
            pass(0.01);
            progress.advance(1);
        }
        // one second of calls, every 10 ms, after the first draw: a redraw every 200 ms
        assertEquals(1 + 5, printed().chars().filter(c -> c == '\r').count(), printed());

        progress.status("loss=0.1234");
        pass(0.2);
        progress.advance(1);
        assertTrue(printed().endsWith("143/420  34%  43.33 it/s  0:03<0:06  loss=0.1234"), printed());

        progress.close();
        assertTrue(printed().endsWith(System.lineSeparator()), "the finished bar keeps its line");
    }

    @Test
    void aShorterLineBlanksOutTheRestOfTheLongerOne() {
        Progress progress = console(true).start("t", 0);
        pass(3);
        progress.status("a long status text");
        progress.advance(1);
        String before = printed();
        progress.status("");
        pass(1);
        progress.advance(1);
        String redraw = printed().substring(before.length());
        assertEquals(before.length(), redraw.length(), "the redraw covers the previous line: " + redraw);
    }

    @Test
    void aLogGetsALineEveryTenSecondsAndOneAtTheEnd() {
        Progress progress = console(false).start("target: epoch 2", 1000);
        for (int second = 1; second <= 25; second++) {
            pass(1);
            progress.advance(10);
        }
        progress.close();
        assertEquals(List.of(
                "target: epoch 2: 20/1000 (2%), 10.00 it/s, elapsed 0:02, ETA 1:38",
                "target: epoch 2: 120/1000 (12%), 10.00 it/s, elapsed 0:12, ETA 1:28",
                "target: epoch 2: 220/1000 (22%), 10.00 it/s, elapsed 0:22, ETA 1:18",
                "target: epoch 2: 250/1000 (25%), 10.00 it/s, elapsed 0:25, ETA 1:15"),
                printed().lines().toList());
    }

    @Test
    void slowTasksShowSecondsPerItemAndLongOnesHours() {
        Progress progress = console(false).start("train", 1000);
        pass(30);
        progress.advance(1);
        assertEquals("train: 1/1000 (0%), 30.00 s/it, elapsed 0:30, ETA 8:19:30", printed().strip());
    }

    @Test
    void unknownTotalsShowCountAndRateOnly() {
        Progress log = console(false).start("generate", 0);
        pass(4);
        log.advance(8);
        log.close();
        assertEquals(List.of("generate: 8 done, 2.00 it/s, elapsed 0:04", "generate: 8 done, 2.00 it/s, elapsed 0:04"),
                printed().lines().toList());

        bytes.reset();
        Progress bar = console(true).start("generate", -1);
        pass(4);
        bar.advance(8);
        assertEquals("\rgenerate 8  2.00 it/s  0:04", printed());
    }

    @Test
    void nothingDoneYetHasNoRateOrEta() {
        Progress progress = console(false).start("load", 5);
        pass(2);
        progress.status("reading");
        assertEquals("load: 0/5 (0%), ? it/s, elapsed 0:02, ETA ?, reading", printed().strip());
    }

    @Test
    void closingTwiceDrawsOnce() {
        Progress progress = console(false).start("x", 2);
        pass(3);
        progress.close();
        progress.close();
        progress.advance(1);
        assertEquals(1, printed().lines().count());
    }
}
