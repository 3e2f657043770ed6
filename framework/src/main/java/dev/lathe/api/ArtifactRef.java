package dev.lathe.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The value of an {@link OptionSpec.Kind#ARTIFACT} option: either a file given directly or an
 * output of an earlier stage ({@code base3d.best}), which exists only once that stage has run.
 * {@link dev.lathe.api.pipeline.StageContext#resolve(ArtifactRef)} turns either into a path.
 *
 * @param path   the file, for a direct reference; {@code null} for a stage output
 * @param stage  the producing stage's name, for a stage output
 * @param output the output's name (one of the producing stage type's
 *               {@link dev.lathe.api.pipeline.StageType#outputs()})
 */
public record ArtifactRef(Path path, String stage, String output) {

    public ArtifactRef {
        if ((path == null) == (stage == null)) {
            throw new IllegalArgumentException("an artifact is either a path or a stage output");
        }
        if (stage != null) {
            Objects.requireNonNull(output, "output");
        }
    }

    public static ArtifactRef file(Path path) {
        return new ArtifactRef(path, null, null);
    }

    public static ArtifactRef stageOutput(String stage, String output) {
        return new ArtifactRef(null, stage, output);
    }

    public boolean isStageOutput() {
        return stage != null;
    }

    @Override
    public String toString() {
        return isStageOutput() ? stage + "." + output : path.toString();
    }
}
