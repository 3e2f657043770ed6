package dev.lathe.config;

import dev.lathe.api.OptionSpec;
import dev.lathe.api.model.BaseModelFamily;
import java.util.List;

/**
 * The fields of a pipeline config itself, as option specs, so that one validator checks them and
 * the plugins' options alike, and {@code lathe plugins --options} can print them the same way.
 */
public final class ConfigFields {

    /** Stage names: {@code stage.output} references split at the dot, so names have none. */
    public static final String STAGE_NAME_PATTERN = "[A-Za-z][A-Za-z0-9_-]*";

    /** The provenance a resolved config carries; ignored when the file is read back. */
    public static final List<OptionSpec> PROVENANCE = List.of(
            OptionSpec.string("latheVersion", null, "The Lathe version that resolved the config"),
            OptionSpec.string("resolvedAt", null, "When the config was resolved (ISO-8601, UTC)"),
            OptionSpec.string("source", null, "The config file the run was started from"),
            OptionSpec.string("sourceSha256", null, "SHA-256 of that file's bytes"));

    /** The fields every stage has besides its type's own options. */
    public static final List<OptionSpec> STAGE = List.of(
            OptionSpec.string("name", null, "Unique name of the stage (" + STAGE_NAME_PATTERN
                    + "); later stages refer to its outputs as name.output").mandatory(),
            OptionSpec.string("type", null, "The stage type's id, e.g. train").mandatory());

    /** The top-level field holding the stages; checked by the reader itself, since each stage's fields depend on its type. */
    public static final OptionSpec STAGES = OptionSpec.list("stages", OptionSpec.object("stage", STAGE, "One stage"),
            "The stages, run in order").mandatory();

    /** The top-level fields of a pipeline config. */
    public static final List<OptionSpec> TOP_LEVEL = List.of(
            OptionSpec.string("name", null, "Name of the pipeline; default: the config file's name without extension"),
            OptionSpec.string("description", null, "Free text for people; ignored by the runner"),
            OptionSpec.path("checkpoint", "The base checkpoint: a .safetensors file or a diffusers folder; must exist"),
            OptionSpec.plugin("family", BaseModelFamily.class, null,
                    "Model family of the checkpoint (sd15, sdxl); default: detected from the checkpoint"),
            OptionSpec.choice("device", "cpu", List.of("cpu", "gpu"), "Where tensors live"),
            OptionSpec.integer("seed", 42, "Pipeline seed; each stage derives its own from it and its name"),
            OptionSpec.path("output", "The run's output folder; default: runs/<name> beside the config file"),
            STAGES,
            OptionSpec.object("provenance", PROVENANCE,
                    "Written by Lathe into pipeline.resolved.json; ignored when read"));

    private ConfigFields() {
    }
}
