package dev.lathe.config;

import dev.lathe.api.ArtifactRef;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.api.model.BaseModel;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.api.model.Recognition;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.OptimizerFactory;
import dev.lathe.api.optim.ParameterGroup;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.safetensors.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Stand-ins for real plugins: enough options and behaviour to exercise the reader and runner. */
public final class Fakes {

    private Fakes() {
    }

    /** Everything the config tests use: train and evaluate stages, two optimizers, two families. */
    public static MapPluginCatalog catalog() {
        return MapPluginCatalog.of(new TrainStage(), new EvaluateStage(), new OptimizerPlugin("adamw"), new OptimizerPlugin("adafactor"),
                new FamilyPlugin("sd15"), new FamilyPlugin("sdxl"));
    }

    /**
     * A {@code train}-like stage: writes {@code last} and {@code best} files whose content names
     * the LoRAs it merged, so a test can see what the runner resolved.
     */
    public static final class TrainStage implements StageType {
        public static final List<OptionSpec> OPTIONS = List.of(
                OptionSpec.path("dataset", "Dataset folder").mandatory(),
                OptionSpec.integer("epochs", 10, "Passes over the dataset").min(1).max(1000),
                OptionSpec.number("learningRate", 1e-4, "Learning rate").min(0),
                OptionSpec.integer("rank", 32, "Network rank").min(1),
                OptionSpec.plugin("optimizer", OptimizerFactory.class, "adamw", "Optimizer"),
                OptionSpec.bool("shuffleCaption", false, "Shuffle caption tags"),
                OptionSpec.choice("precision", "fp32", List.of("fp32", "fp16", "bf16"), "Training precision"),
                OptionSpec.list("merge", OptionSpec.object("lora", List.of(
                        OptionSpec.artifact("lora", "LoRA to merge").mandatory(),
                        OptionSpec.number("weight", 1.0, "Merge weight").min(-10).max(10)), "A LoRA merged into the base"),
                        "LoRAs merged into the base model before training"),
                OptionSpec.list("tags", OptionSpec.string("tag", null, "A tag"), "Caption tags to add"));

        @Override
        public String id() {
            return "train";
        }

        @Override
        public String description() {
            return "Trains a LoRA (fake)";
        }

        @Override
        public List<OptionSpec> options() {
            return OPTIONS;
        }

        @Override
        public Set<String> outputs() {
            return Set.of("last", "best");
        }

        @Override
        public StageResult run(StageContext context) throws Exception {
            List<String> merged = new ArrayList<>();
            if (context.options().has("merge")) {
                for (Options merge : context.options().<Options>getList("merge")) {
                    merged.add(context.resolve(merge.getArtifact("lora")) + " @ " + merge.getDouble("weight"));
                }
            }
            context.plugin(OptimizerFactory.class, context.options().getPlugin("optimizer"));
            Map<String, Path> outputs = new LinkedHashMap<>();
            for (String output : List.of("last", "best")) {
                Path file = context.stageDir().resolve(output + ".safetensors");
                Files.writeString(file, String.join("\n", merged));
                outputs.put(output, file);
            }
            return new StageResult(outputs, context.options().getLong("epochs") + " epochs");
        }
    }

    /** An {@code evaluate}-like stage: reads the LoRA it is given and writes a report naming it. */
    public static final class EvaluateStage implements StageType {
        @Override
        public String id() {
            return "evaluate";
        }

        @Override
        public String description() {
            return "Evaluates a LoRA (fake)";
        }

        @Override
        public List<OptionSpec> options() {
            return List.of(
                    OptionSpec.artifact("lora", "The LoRA to evaluate").mandatory(),
                    OptionSpec.integer("images", 200, "Images per epoch").min(1),
                    OptionSpec.list("references", OptionSpec.path("reference", "A reference image"), "Reference images"));
        }

        @Override
        public Set<String> outputs() {
            return Set.of("report");
        }

        @Override
        public StageResult run(StageContext context) throws Exception {
            Path lora = context.resolve(context.options().getArtifact("lora"));
            Path report = context.stageDir().resolve("report.txt");
            Files.writeString(report, lora.toString());
            return new StageResult(Map.of("report", report), "evaluated " + lora.getFileName());
        }
    }

    /** An optimizer with a list option and a bounded number. */
    public static final class OptimizerPlugin implements OptimizerFactory {
        private final String id;

        public OptimizerPlugin(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String description() {
            return "Optimizer " + id + " (fake)";
        }

        @Override
        public List<OptionSpec> options() {
            return List.of(
                    OptionSpec.list("betas", OptionSpec.number("beta", null, "A beta").min(0).max(1), "Betas")
                            .withDefault(List.of(0.9, 0.999)),
                    OptionSpec.number("weightDecay", 0.01, "Weight decay").min(0));
        }

        @Override
        public Optimizer create(List<ParameterGroup> groups, Options options) {
            throw new UnsupportedOperationException("fake");
        }
    }

    public static final class FamilyPlugin implements BaseModelFamily {
        private final String id;

        public FamilyPlugin(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String description() {
            return "Family " + id + " (fake)";
        }

        @Override
        public Recognition recognize(Map<String, TensorInfo> tensors) {
            return Recognition.notRecognized(id, "fake");
        }

        @Override
        public BaseModel load(Path checkpoint, LoadOptions options) {
            throw new UnsupportedOperationException("fake");
        }

        @Override
        public List<LoraTarget> loraTargets(Map<String, TensorInfo> tensors, LoraScope scope) {
            return List.of();
        }
    }

    /** The artifact a {@code stage.output} value reads as. */
    public static ArtifactRef ref(String stage, String output) {
        return ArtifactRef.stageOutput(stage, output);
    }
}
