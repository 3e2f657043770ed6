package dev.lathe.stage.train;

import dev.lathe.api.model.DiffusionModel;
import java.nio.file.Path;

/** Renders the sample prompts during training. */
interface SampleRenderer {

    /** Renders every sample prompt after {@code epoch} epochs / {@code step} steps. */
    void render(int epoch, long step, boolean atEpochEnd) throws Exception;

    static SampleRenderer create(TrainSettings settings, DiffusionModel model, Path folder) {
        return (epoch, step, atEpochEnd) -> { };
    }
}
