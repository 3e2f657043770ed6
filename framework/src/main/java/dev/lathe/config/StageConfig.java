package dev.lathe.config;

import dev.lathe.api.Options;
import java.util.Objects;

/**
 * One stage of a pipeline.
 *
 * @param name    unique within the pipeline; other stages refer to its outputs as {@code name.output}
 * @param type    the id of its {@link dev.lathe.api.pipeline.StageType}
 * @param options the stage's other fields, validated against that type's
 *                {@link dev.lathe.api.pipeline.StageType#options()} with defaults filled in
 */
public record StageConfig(String name, String type, Options options) {
    public StageConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(options, "options");
    }
}
