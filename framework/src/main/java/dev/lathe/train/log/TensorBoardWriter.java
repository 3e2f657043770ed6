package dev.lathe.train.log;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Locale;

/**
 * Writes a TensorBoard event file: scalars that {@code tensorboard --logdir} plots, with no
 * TensorFlow involved.
 *
 * <p>The file is named as TensorBoard's own writer (and so PyTorch's {@code SummaryWriter}, which
 * kohya-ss uses) names it: {@code events.out.tfevents.<unix seconds, 10 digits>.<host>.<pid>.<n>},
 * where {@code n} counts up from 0 until the name is free. TensorBoard reads every file in a
 * folder whose name contains {@code tfevents}, in name order. Records are TFRecord-framed
 * ({@link TfRecordWriter}) {@code Event} protocol buffers: first {@code file_version
 * "brain.Event:2"}, then one event per scalar ({@code Summary.Value{tag, simple_value}}, as
 * {@code add_scalar} writes them).
 *
 * <p>Events are buffered and reach the file on {@link #flush()} (a training loop calls it after
 * each epoch), on {@link #close()}, and at the first event written more than
 * {@value #FLUSH_SECONDS} s after the last flush (TensorBoard's own default interval), so that
 * a long epoch still shows up while it runs. A killed process loses at most what was buffered.
 */
public final class TensorBoardWriter implements Closeable {

    /** The first record of every event file: the format version TensorBoard checks. */
    public static final String FILE_VERSION = "brain.Event:2";
    /** Buffered events are flushed at the first event this long after the last flush. */
    public static final int FLUSH_SECONDS = 120;

    // Event fields (tensorflow/core/util/event.proto)
    private static final int EVENT_WALL_TIME = 1;
    private static final int EVENT_STEP = 2;
    private static final int EVENT_FILE_VERSION = 3;
    private static final int EVENT_SUMMARY = 5;
    private static final int EVENT_SESSION_LOG = 7;
    // Summary and Summary.Value fields (tensorflow/core/framework/summary.proto)
    private static final int SUMMARY_VALUE = 1;
    private static final int VALUE_TAG = 1;
    private static final int VALUE_SIMPLE_VALUE = 2;
    // SessionLog fields and its START status
    private static final int SESSION_LOG_STATUS = 1;
    private static final int SESSION_LOG_MSG = 3;
    private static final int SESSION_STATUS_START = 1;

    private final Path file;
    private final OutputStream out;
    private final TfRecordWriter records;
    private final Clock clock;
    private long lastFlushMillis;

    private TensorBoardWriter(Path file, OutputStream out, Clock clock) {
        this.file = file;
        this.out = out;
        this.records = new TfRecordWriter(out);
        this.clock = clock;
        this.lastFlushMillis = clock.millis();
    }

    /** A new event file in {@code logDir} (created if needed), stamped with the system clock. */
    public static TensorBoardWriter create(Path logDir) throws IOException {
        return create(logDir, Clock.systemUTC());
    }

    /**
     * A new event file in {@code logDir} (created if needed); its name and wall times come from
     * {@code clock}. The version record is written and flushed at once, so TensorBoard lists the
     * run from the start.
     */
    public static TensorBoardWriter create(Path logDir, Clock clock) throws IOException {
        Files.createDirectories(logDir);
        String stem = String.format(Locale.ROOT, "events.out.tfevents.%010d.%s.%d.", clock.millis() / 1000, hostName(),
                ProcessHandle.current().pid());
        for (int n = 0; ; n++) {
            Path file = logDir.resolve(stem + n);
            OutputStream stream;
            try {
                stream = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                continue; // another writer started in the same second
            }
            TensorBoardWriter writer = new TensorBoardWriter(file, new BufferedOutputStream(stream, 1 << 16), clock);
            try {
                writer.write(writer.event(0).string(EVENT_FILE_VERSION, FILE_VERSION));
                writer.flush();
            } catch (IOException | RuntimeException e) {
                writer.out.close();
                throw e;
            }
            return writer;
        }
    }

    /** The event file being written. */
    public Path file() {
        return file;
    }

    /**
     * Adds a scalar: TensorBoard plots {@code value} against {@code step} in the chart named
     * {@code tag} (a {@code /} groups charts: {@code loss/current}). Stored as a 32-bit float,
     * as TensorBoard's scalars are.
     *
     * @param step a non-negative step
     */
    public void scalar(String tag, double value, long step) throws IOException {
        ProtoEncoder v = new ProtoEncoder().string(VALUE_TAG, tag).floatField(VALUE_SIMPLE_VALUE, (float) value);
        write(event(step).message(EVENT_SUMMARY, new ProtoEncoder().message(SUMMARY_VALUE, v)));
    }

    /**
     * Marks a restart at {@code step}: a {@code SessionLog} START event. TensorBoard then hides the
     * events of earlier files with a step at or after it, which a killed run wrote after its last
     * saved state and a resumed run writes again.
     */
    public void sessionStart(long step, String message) throws IOException {
        ProtoEncoder log = new ProtoEncoder().varint(SESSION_LOG_STATUS, SESSION_STATUS_START)
                .string(SESSION_LOG_MSG, message);
        write(event(step).message(EVENT_SESSION_LOG, log));
    }

    /** Writes buffered events to the file. */
    public void flush() throws IOException {
        out.flush();
        lastFlushMillis = clock.millis();
    }

    /** Flushes and closes the file. */
    @Override
    public void close() throws IOException {
        try (out) {
            flush();
        }
    }

    private ProtoEncoder event(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("a negative step: " + step);
        }
        ProtoEncoder event = new ProtoEncoder().doubleField(EVENT_WALL_TIME, clock.millis() / 1000.0);
        // proto3 leaves a field at its default (step 0) out, as TensorFlow's writer does
        return step == 0 ? event : event.varint(EVENT_STEP, step);
    }

    private void write(ProtoEncoder event) throws IOException {
        records.write(event.toByteArray());
        if (clock.millis() - lastFlushMillis >= FLUSH_SECONDS * 1000L) {
            flush();
        }
    }

    /**
     * The host name as Python's {@code socket.gethostname()} gives it (the kernel's), kept to
     * characters that are safe in a file name; never a network lookup that could hang offline.
     */
    static String hostName() {
        String name = null;
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                name = Files.readString(kernel, StandardCharsets.UTF_8).trim();
            }
        } catch (IOException | RuntimeException e) {
            name = null;
        }
        if (name == null || name.isEmpty()) {
            name = System.getenv("HOSTNAME");
        }
        if (name == null || name.isEmpty()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e) {
                name = "localhost";
            }
        }
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
