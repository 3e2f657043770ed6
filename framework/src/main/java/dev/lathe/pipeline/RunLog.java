package dev.lathe.pipeline;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.lathe.api.RunFailedException;
import dev.lathe.config.PipelineConfig;
import dev.lathe.framework.internal.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code run.json}: the state of every stage of a run, rewritten (atomically) whenever a stage
 * starts or ends, so that after a crash the folder itself says where the run stopped.
 */
final class RunLog {

    private static final JsonFactory JSON = new JsonFactory();

    private final Path file;
    private final PipelineConfig config;
    private final Instant started;
    private final List<StageRun> stages = new ArrayList<>();
    private String status = "running";

    RunLog(Path file, PipelineConfig config, Instant started) {
        this.file = file;
        this.config = config;
        this.started = started;
        config.stages().forEach(s -> stages.add(StageRun.pending(s.name(), s.type())));
    }

    List<StageRun> stages() {
        return List.copyOf(stages);
    }

    /** Records a stage's new state and rewrites the file. */
    void update(int index, StageRun run) {
        stages.set(index, run);
        write();
    }

    void finish(boolean succeeded) {
        status = succeeded ? "done" : "failed";
        write();
    }

    private void write() {
        try {
            AtomicFiles.write(file, this::writeTo);
        } catch (IOException e) {
            throw new RunFailedException("Cannot write the run log " + file + ": " + e.getMessage()
                    + ". Check that the output folder is writable and the disk is not full.", e);
        }
    }

    private void writeTo(OutputStream out) throws IOException {
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8).useDefaultPrettyPrinter()) {
            json.writeStartObject();
            json.writeStringField("pipeline", config.name());
            json.writeStringField("config", config.source().toString());
            json.writeStringField("started", started.truncatedTo(ChronoUnit.SECONDS).toString());
            json.writeStringField("status", status);
            json.writeArrayFieldStart("stages");
            for (StageRun stage : stages) {
                json.writeStartObject();
                json.writeStringField("name", stage.name());
                json.writeStringField("type", stage.type());
                json.writeStringField("status", stage.status().name().toLowerCase(Locale.ROOT));
                json.writeNumberField("seconds", Math.round(stage.seconds() * 1000) / 1000.0);
                json.writeObjectFieldStart("outputs");
                for (Map.Entry<String, Path> output : new TreeMap<>(stage.outputs()).entrySet()) {
                    json.writeStringField(output.getKey(), output.getValue().toString());
                }
                json.writeEndObject();
                json.writeStringField("summary", stage.summary());
                if (stage.error() != null) {
                    json.writeStringField("error", stage.error());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeRaw('\n');
        }
    }
}
