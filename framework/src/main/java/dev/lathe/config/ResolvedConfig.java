package dev.lathe.config;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.lathe.api.ArtifactRef;
import dev.lathe.api.Options;
import dev.lathe.api.PluginChoice;
import dev.lathe.framework.internal.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * Writes a config as it was resolved, beside a run's outputs: defaults filled in, paths absolute,
 * plugin choices as objects with every option, and where it came from (Lathe version, time,
 * source file and its SHA-256). The result is itself a valid pipeline config: reading it again
 * gives the same {@link PipelineConfig}, so a run can be repeated exactly from its folder.
 */
public final class ResolvedConfig {

    private static final JsonFactory JSON = new JsonFactory();

    private ResolvedConfig() {
    }

    /** Writes {@code config} to {@code file} atomically (the folder must exist). */
    public static void write(PipelineConfig config, Path file) throws IOException {
        String sha256 = Files.isRegularFile(config.source()) ? sha256(config.source()) : null;
        AtomicFiles.write(file, out -> write(config, sha256, out));
    }

    private static void write(PipelineConfig config, String sourceSha256, OutputStream out) throws IOException {
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8).useDefaultPrettyPrinter()) {
            json.writeStartObject();
            json.writeObjectFieldStart("provenance");
            json.writeStringField("latheVersion", latheVersion());
            json.writeStringField("resolvedAt", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            json.writeStringField("source", config.source().toString());
            if (sourceSha256 != null) {
                json.writeStringField("sourceSha256", sourceSha256);
            }
            json.writeEndObject();
            json.writeStringField("name", config.name());
            if (config.description() != null) {
                json.writeStringField("description", config.description());
            }
            if (config.checkpoint() != null) {
                json.writeStringField("checkpoint", config.checkpoint().toString());
            }
            if (config.family() != null) {
                json.writeStringField("family", config.family());
            }
            json.writeStringField("device", config.device());
            json.writeNumberField("seed", config.seed());
            json.writeStringField("output", config.output().toString());
            json.writeArrayFieldStart("stages");
            for (StageConfig stage : config.stages()) {
                json.writeStartObject();
                json.writeStringField("name", stage.name());
                json.writeStringField("type", stage.type());
                writeFields(json, stage.options());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeRaw('\n');
        }
    }

    /** {@code options} as a JSON object, in the form a config file gives them (for provenance records). */
    public static String toJson(Options options) {
        java.io.StringWriter text = new java.io.StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            writeFields(json, options);
            json.writeEndObject();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return text.toString();
    }

    private static void writeFields(JsonGenerator json, Options options) throws IOException {
        for (Map.Entry<String, Object> option : options.asMap().entrySet()) {
            json.writeFieldName(option.getKey());
            writeValue(json, option.getValue());
        }
    }

    /** One option value, in the form the reader accepts back (see {@link dev.lathe.api.Options} for the types). */
    private static void writeValue(JsonGenerator json, Object value) throws IOException {
        if (value instanceof String text) {
            json.writeString(text);
        } else if (value instanceof Long number) {
            json.writeNumber(number);
        } else if (value instanceof Double number) {
            json.writeNumber(number);
        } else if (value instanceof Boolean flag) {
            json.writeBoolean(flag);
        } else if (value instanceof Path path) {
            json.writeString(path.toString());
        } else if (value instanceof ArtifactRef artifact) {
            // stage.output as written, or the file's absolute path
            json.writeString(artifact.toString());
        } else if (value instanceof PluginChoice choice) {
            json.writeStartObject();
            json.writeStringField("id", choice.id());
            writeFields(json, choice.options());
            json.writeEndObject();
        } else if (value instanceof List<?> list) {
            json.writeStartArray();
            for (Object element : list) {
                writeValue(json, element);
            }
            json.writeEndArray();
        } else if (value instanceof Options object) {
            json.writeStartObject();
            writeFields(json, object);
            json.writeEndObject();
        } else {
            throw new IllegalArgumentException("not an option value: " + value + " (" + value.getClass().getName() + ")");
        }
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The framework bundle's version inside OSGi; {@code dev} when run from classes (tests, IDE). */
    public static String latheVersion() {
        try {
            Bundle bundle = FrameworkUtil.getBundle(ResolvedConfig.class);
            return bundle == null ? "dev" : bundle.getVersion().toString();
        } catch (NoClassDefFoundError e) {
            // Outside OSGi the OSGi API may be missing from the class path altogether.
            return "dev";
        }
    }
}
