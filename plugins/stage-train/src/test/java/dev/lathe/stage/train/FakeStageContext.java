package dev.lathe.stage.train;

import dev.lathe.api.ArtifactRef;
import dev.lathe.api.Options;
import dev.lathe.api.Plugin;
import dev.lathe.api.PluginChoice;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.optim.OptimizerFactory;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.optimizer.adamw.AdamWFactory;
import dev.lathe.sd15.Sd15Family;
import dev.lathe.sdxl.SdxlFamily;
import java.nio.file.Path;
import java.util.List;

/** A stage context over one model family (sd15 or sdxl) and the AdamW optimizer, for running the train stage directly. */
record FakeStageContext(String stageName, Options options, Path baseCheckpoint, Path runDir, Path stageDir, String family)
        implements StageContext {

    FakeStageContext(String stageName, Options options, Path baseCheckpoint, Path runDir, Path stageDir) {
        this(stageName, options, baseCheckpoint, runDir, stageDir, "sd15");
    }

    @Override
    public List<String> pluginIds(Class<? extends Plugin> kind) {
        return kind == BaseModelFamily.class ? List.of(family) : List.of("adamw");
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public long seed() {
        return 1234;
    }

    @Override
    public Path resolve(ArtifactRef artifact) {
        return artifact.path();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends Plugin> T plugin(Class<T> kind, PluginChoice choice) {
        if (kind == BaseModelFamily.class) {
            return (T) (choice.id().equals("sdxl") ? new SdxlFamily() : new Sd15Family());
        }
        if (kind == OptimizerFactory.class) {
            return (T) new AdamWFactory();
        }
        throw new IllegalArgumentException(kind.getName());
    }

    @Override
    public Progress progress(String task, long total) {
        return new Progress() {
            @Override
            public void advance(long n) {
            }

            @Override
            public void status(String text) {
            }

            @Override
            public void close() {
            }
        };
    }
}
