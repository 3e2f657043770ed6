package dev.lathe.stage.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.OptimizerState;
import dev.lathe.lora.LoraFile;
import dev.lathe.lora.LoraFileContents;
import dev.lathe.lora.LoraNetwork;
import dev.lathe.lora.SavePrecision;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import dev.lathe.safetensors.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A resumable training state: a folder {@code state/step-<8 digits>/} in the stage folder holding
 * the LoRA in float32 ({@value #NETWORK}, a kohya file: exact, and loadable as a LoRA), the
 * optimizer state ({@value #OPTIMIZER}) and where the run stood ({@value #PROGRESS}). The RNG
 * needs no saving: every batch's draws derive from (seed, batch number). Written into a
 * temporary folder and renamed, so a state folder is always complete.
 */
final class TrainingState {

    static final String FOLDER = "state";
    static final String NETWORK = "network.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String PROGRESS = "progress.json";

    /** The options that must not change between a run and its resumption: they shape the result. */
    static final List<String> FIXED_OPTIONS = List.of(TrainOptions.DATASET, TrainOptions.RESOLUTION,
            TrainOptions.NETWORK_DIM, TrainOptions.NETWORK_ALPHA, TrainOptions.CONV_DIM, TrainOptions.CONV_ALPHA,
            TrainOptions.OPTIMIZER, TrainOptions.LEARNING_RATE, TrainOptions.UNET_LR, TrainOptions.TEXT_ENCODER_LR,
            TrainOptions.LR_SCHEDULER, TrainOptions.LR_WARMUP_STEPS, TrainOptions.TRAIN_BATCH_SIZE,
            TrainOptions.GRADIENT_ACCUMULATION_STEPS, TrainOptions.SEED, TrainOptions.NETWORK_TRAIN_UNET_ONLY,
            TrainOptions.NETWORK_TRAIN_TEXT_ENCODER_ONLY, TrainOptions.ENABLE_BUCKET, TrainOptions.CAPTION_EXTENSION);

    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainingState() {
    }

    /** A saved state, read back. */
    record Saved(Path folder, TrainProgress progress, Map<String, String> fixedOptions) {
    }

    /** Writes the state after {@code progress.step()} steps; returns its folder. */
    static Path save(Path stageDir, LoraNetwork network, Optimizer optimizer, TrainProgress progress,
            Map<String, String> fixedOptions) throws IOException {
        Path states = Files.createDirectories(stageDir.resolve(FOLDER));
        Path folder = states.resolve(String.format("step-%08d", progress.step()));
        Path temporary = Files.createTempDirectory(states, ".writing-");
        network.save(temporary.resolve(NETWORK), SavePrecision.FP32, Map.of());
        OptimizerState state = optimizer.state();
        SafeTensorsWriter.write(temporary.resolve(OPTIMIZER), new LinkedHashMap<>(state.tensors()),
                new LinkedHashMap<>(state.values()));
        ObjectNode json = JSON.createObjectNode();
        json.put("format", 1);
        json.put("epoch", progress.epoch());
        json.put("batchInEpoch", progress.batchInEpoch());
        json.put("step", progress.step());
        json.put("epochLossSum", progress.epochLossSum());
        json.put("epochBatches", progress.epochBatches());
        progress.learningRates().forEach(json.putArray("learningRates")::add);
        progress.epochAverages().forEach(json.putArray("epochAverages")::add);
        ObjectNode fixed = json.putObject("options");
        fixedOptions.forEach(fixed::put);
        Files.writeString(temporary.resolve(PROGRESS), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        deleteRecursively(folder);
        try {
            Files.move(temporary, folder, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, folder);
        }
        return folder;
    }

    /** The newest complete state folder in the stage folder, if any. */
    static Optional<Path> latest(Path stageDir) throws IOException {
        Path states = stageDir.resolve(FOLDER);
        if (!Files.isDirectory(states)) {
            return Optional.empty();
        }
        try (Stream<Path> folders = Files.list(states)) {
            return folders.filter(p -> p.getFileName().toString().startsWith("step-"))
                    .filter(p -> Files.isRegularFile(p.resolve(PROGRESS)))
                    .max(Comparator.comparing(p -> p.getFileName().toString()));
        }
    }

    /** Reads where a saved state stood. */
    static Saved read(Path folder) {
        Path file = folder.resolve(PROGRESS);
        try {
            var json = JSON.readTree(Files.readString(file));
            List<Double> rates = new ArrayList<>();
            json.path("learningRates").forEach(r -> rates.add(r.asDouble()));
            List<Double> averages = new ArrayList<>();
            json.path("epochAverages").forEach(r -> averages.add(r.asDouble()));
            Map<String, String> fixed = new LinkedHashMap<>();
            json.path("options").fields().forEachRemaining(e -> fixed.put(e.getKey(), e.getValue().asText()));
            TrainProgress progress = new TrainProgress(json.get("epoch").asInt(), json.get("batchInEpoch").asInt(),
                    json.get("step").asLong(), json.get("epochLossSum").asDouble(), json.get("epochBatches").asInt(), rates,
                    averages);
            return new Saved(folder, progress, fixed);
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException("The training state " + folder + " cannot be resumed: " + file
                    + " is missing or damaged (" + e.getMessage() + "). Resume from another state folder in "
                    + folder.getParent() + ", or start again without \"resume\".");
        }
    }

    /** The saved LoRA, as a kohya file's contents. */
    static LoraFileContents network(Path folder) throws IOException {
        return LoraFile.read(folder.resolve(NETWORK));
    }

    /** Restores the optimizer from the state folder. */
    static void restoreOptimizer(Path folder, Optimizer optimizer) throws IOException {
        try (SafeTensorsFile file = SafeTensorsFile.open(folder.resolve(OPTIMIZER))) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (TensorInfo info : file.tensors().values()) {
                tensors.put(info.name(), file.tensor(info.name()));
            }
            optimizer.restore(new OptimizerState(tensors, file.metadata()));
        }
    }

    /**
     * Checks that the options that shape the result are those the state was saved with.
     *
     * @throws InvalidInputException listing every difference
     */
    static void requireSameOptions(Saved saved, Map<String, String> current) {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, String> e : current.entrySet()) {
            String before = saved.fixedOptions().get(e.getKey());
            if (before != null && !before.equals(e.getValue())) {
                differences.add(e.getKey() + " was " + before + ", now " + e.getValue());
            }
        }
        if (!differences.isEmpty()) {
            throw new InvalidInputException("The training state " + saved.folder() + " was saved by a run with other settings ("
                    + String.join("; ", differences) + "). Resuming would not give the run's result: use the same "
                    + "settings, or start a new run without \"resume\".");
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
