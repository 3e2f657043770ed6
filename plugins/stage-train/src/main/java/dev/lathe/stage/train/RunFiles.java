package dev.lathe.stage.train;

import dev.lathe.api.RunFailedException;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.lora.LoraNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a training run writes into its stage folder, named as kohya-ss names it:
 * {@code <name>-000001.safetensors} after each saved epoch but the last, {@code
 * <name>-step00000120.safetensors} every N steps if asked, {@code <name>.safetensors} at the
 * end; a training state beside each ({@code state/step-N/}, the newest {@value #KEEP_STATES}
 * kept); logs and samples.
 */
final class RunFiles implements Trainer.Checkpoints {

    /** How many training states stay on disk (each holds the LoRA and the optimizer's moments). */
    static final int KEEP_STATES = 2;

    private static final Logger LOG = LoggerFactory.getLogger(RunFiles.class);

    private final StageContext context;
    private final TrainSettings settings;
    private final LoraNetwork network;
    private final Optimizer optimizer;
    private final LoraMetadata metadata;
    private final Path stageDir;
    private final Map<Integer, Path> epochFiles = new LinkedHashMap<>();
    private final SampleRenderer samples;

    RunFiles(StageContext context, TrainSettings settings, DiffusionModel model, LoraNetwork network, Optimizer optimizer,
            TrainingData data, long totalSteps, String optimizerId, SampleRenderer samples) throws IOException {
        this.context = context;
        this.settings = settings;
        this.network = network;
        this.optimizer = optimizer;
        this.stageDir = context.stageDir();
        TrainingData.DatasetFacts facts = data.facts();
        this.metadata = new LoraMetadata(new LoraMetadata.RunFacts(settings, model, CheckpointHash.sha256(model.source()),
                model.source().getFileName().toString(), facts.trainImages(), data.batchesPerEpoch(), totalSteps,
                facts.datasetDirs(), facts.tagFrequency(), facts.bucketInfo(), optimizerDescription(optimizerId, settings),
                System.currentTimeMillis() / 1000.0, ThreadLocalRandom.current().nextLong(0, 1L << 31),
                dev.lathe.config.ResolvedConfig.latheVersion(), dev.lathe.config.ResolvedConfig.toJson(settings.options())));
        this.samples = samples;
        for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
            Path file = stageDir.resolve(epochFileName(epoch));
            if (Files.isRegularFile(file)) {
                epochFiles.put(epoch, file); // from before a resumption
            }
        }
    }

    TrainLog openLog(long resumeStep, List<String> groups) throws IOException {
        return TrainLogs.open(stageDir.resolve("logs"), resumeStep, groups);
    }

    @Override
    public void afterStep(TrainProgress progress) throws Exception {
        long step = progress.step();
        if (settings.saveEverySteps() > 0 && step % settings.saveEverySteps() == 0) {
            save(String.format(Locale.ROOT, "%s-step%08d.safetensors", settings.outputName(), step), progress, null);
            saveState(progress);
        }
        if (samples != null && settings.sampleEverySteps() > 0 && step % settings.sampleEverySteps() == 0) {
            samples.render(null, step);
        }
    }

    @Override
    public void afterEpoch(TrainProgress progress) throws Exception {
        int done = progress.completedEpochs();
        LOG.info(String.format(Locale.ROOT, "Epoch %d/%d: average loss %.5f", done, settings.epochs(),
                progress.epochAverages().get(progress.epochAverages().size() - 1)));
        if (done < settings.epochs() && settings.saveEveryEpochs() > 0 && done % settings.saveEveryEpochs() == 0) {
            Path file = save(epochFileName(done), progress, null);
            epochFiles.put(done, file);
            saveState(progress);
        }
        if (samples != null && settings.sampleEveryEpochs() > 0 && done % settings.sampleEveryEpochs() == 0) {
            samples.render(done, progress.step());
        }
    }

    /** Writes the final LoRA (and state) and names the outputs. */
    StageResult finish(TrainProgress end) throws IOException {
        Path last = save(settings.outputName() + ".safetensors", end, System.currentTimeMillis() / 1000.0);
        if (settings.saveState()) {
            saveState(end);
        }
        int lastEpoch = end.completedEpochs();
        epochFiles.put(Math.max(lastEpoch, 1), last);
        Path best = last;
        double bestLoss = Double.POSITIVE_INFINITY;
        List<Double> averages = end.epochAverages();
        for (Map.Entry<Integer, Path> e : epochFiles.entrySet()) {
            int index = e.getKey() - 1;
            if (index < averages.size() && averages.get(index) < bestLoss) {
                bestLoss = averages.get(index);
                best = e.getValue();
            }
        }
        Map<String, Path> outputs = new LinkedHashMap<>();
        outputs.put("last", last);
        outputs.put("best", best);
        outputs.put("epochs", stageDir);
        outputs.put("samples", Files.createDirectories(stageDir.resolve("sample")));
        String summary = String.format(Locale.ROOT, "%d steps, %d epochs; last %s%s", end.step(), lastEpoch,
                last.getFileName(), best.equals(last) ? "" : String.format(Locale.ROOT, ", lowest average loss %.5f: %s",
                        bestLoss, best.getFileName()));
        return new StageResult(outputs, summary);
    }

    String epochFileName(int epoch) {
        return String.format(Locale.ROOT, "%s-%06d.safetensors", settings.outputName(), epoch);
    }

    private Path save(String fileName, TrainProgress progress, Double finishedAt) {
        Path file = stageDir.resolve(fileName);
        try {
            network.save(file, settings.savePrecision(), metadata.forSave(progress.completedEpochs(), progress.step(),
                    finishedAt));
        } catch (IOException e) {
            throw new RunFailedException("Cannot write " + file + ": " + e.getMessage()
                    + ". Check that the disk is not full and the folder is writable.", e);
        }
        LOG.info("Saved {}", file);
        return file;
    }

    private void saveState(TrainProgress progress) throws IOException {
        if (!settings.saveState()) {
            return;
        }
        TrainingState.save(stageDir, network, optimizer, progress, TrainStage.fixedOptions(settings));
        try (Stream<Path> states = Files.list(stageDir.resolve(TrainingState.FOLDER))) {
            List<Path> old = states.filter(p -> p.getFileName().toString().startsWith("step-"))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
                    .skip(KEEP_STATES).toList();
            for (Path folder : old) {
                try (Stream<Path> walk = Files.walk(folder)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }

    private static String optimizerDescription(String id, TrainSettings settings) {
        Map<String, Object> options = settings.optimizer().options().asMap();
        if (options.isEmpty()) {
            return id;
        }
        StringBuilder text = new StringBuilder(id).append('(');
        options.forEach((k, v) -> text.append(text.charAt(text.length() - 1) == '(' ? "" : ",").append(k).append('=').append(v));
        return text.append(')').toString();
    }

}
