package dev.lathe.stage.train;

import dev.lathe.api.RunFailedException;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.pipeline.StageContext;
import java.nio.file.Path;

/** Opens the kohya dataset folder of a train stage as {@link TrainingData}. */
interface DatasetBridge {

    TrainingData open(TrainSettings settings, DiffusionModel model, StageContext context, Path stageDir) throws Exception;

    static TrainingData kohyaFolders(TrainSettings settings, DiffusionModel model, StageContext context, Path stageDir) {
        throw new RunFailedException("kohya dataset folders are not wired into the train stage yet");
    }
}
