package dev.lathe.merge;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.checkpoint.CheckpointLoader;
import dev.lathe.lora.CheckpointMerger;
import dev.lathe.lora.LoraToMerge;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code merge}: writes the pipeline's base checkpoint (or the stage's own) with LoRAs merged into
 * its weights, as {@code <outputName>.safetensors} in the stage folder. Output {@code checkpoint}
 * is that file, for later stages and for any UI.
 */
@Component(service = StageType.class, property = "id=merge")
public final class MergeStage implements StageType {

    static final String LORAS = "loras";
    static final String LORA = "lora";
    static final String STRENGTH = "strength";
    static final String OUTPUT_NAME = "outputName";
    static final String CHECKPOINT = "checkpoint";

    static final String CHECKPOINT_OUTPUT = "checkpoint";

    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.list(LORAS, OptionSpec.object("lora", List.of(
                    OptionSpec.artifact(LORA, "A LoRA file, or an earlier stage's output such as \"base3d.last\"")
                            .mandatory(),
                    OptionSpec.number(STRENGTH, 1.0, "The strength it is merged at (1 = as trained; negative subtracts it)")),
                    "A LoRA to merge"),
                    "The LoRAs to merge into the checkpoint, in this order (at least one)").mandatory(),
            OptionSpec.string(OUTPUT_NAME, null, "File name of the merged checkpoint, without .safetensors (default: the "
                    + "stage name)"),
            OptionSpec.path(CHECKPOINT, "The checkpoint to merge into instead of the pipeline's (a single .safetensors file)"));

    private final List<BaseModelFamily> families;

    @Activate
    public MergeStage(@Reference(service = BaseModelFamily.class, cardinality = ReferenceCardinality.MULTIPLE,
            policyOption = ReferencePolicyOption.GREEDY) List<BaseModelFamily> families) {
        this.families = List.copyOf(families);
    }

    @Override
    public String id() {
        return "merge";
    }

    @Override
    public String description() {
        return "Merges LoRAs into the base checkpoint's weights and writes a new single-file checkpoint";
    }

    @Override
    public List<OptionSpec> options() {
        return OPTIONS;
    }

    @Override
    public Set<String> outputs() {
        return Set.of(CHECKPOINT_OUTPUT);
    }

    @Override
    public StageResult run(StageContext context) throws Exception {
        Options options = context.options();
        Path checkpoint = options.has(CHECKPOINT) ? options.getPath(CHECKPOINT) : context.baseCheckpoint();
        if (checkpoint == null) {
            throw new InvalidInputException("Stage \"" + context.stageName() + "\" has no checkpoint to merge into: set the "
                    + "pipeline's \"checkpoint\" or the stage's \"" + CHECKPOINT + "\".");
        }
        String name = options.has(OUTPUT_NAME) ? options.getString(OUTPUT_NAME) : context.stageName();
        if (name.isBlank() || name.contains("/") || name.contains("\\")) {
            throw new InvalidInputException("Stage \"" + context.stageName() + "\": \"" + OUTPUT_NAME + "\" must be a plain "
                    + "file name without folders, got \"" + name + "\".");
        }
        List<LoraToMerge> loras = new ArrayList<>();
        for (Options lora : options.<Options>getList(LORAS)) {
            Path file = context.resolve(lora.getArtifact(LORA));
            if (!Files.isRegularFile(file)) {
                throw new InvalidInputException("Stage \"" + context.stageName() + "\": the LoRA " + lora.getArtifact(LORA)
                        + " (" + file + ") is not a file; give a LoRA .safetensors file.");
            }
            loras.add(new LoraToMerge(file, lora.getDouble(STRENGTH)));
        }
        if (loras.isEmpty()) {
            throw new InvalidInputException("Stage \"" + context.stageName() + "\" has no LoRA to merge: list at least one "
                    + "under \"" + LORAS + "\".");
        }
        Path target = context.stageDir().resolve(name + ".safetensors");
        String family = options.has(CHECKPOINT) ? null : context.family();
        // The model only binds LoRA modules to weights; nothing runs on it, so the CPU will do.
        try (DiffusionModel model = CheckpointLoader.load(checkpoint, family, families, LoadOptions.cpuFloat32())) {
            CheckpointMerger.Merged merged = CheckpointMerger.merge(model, loras, target, context::progress);
            return new StageResult(Map.of(CHECKPOINT_OUTPUT, merged.checkpoint()), loras.size() + " LoRA(s), "
                    + merged.modules() + " modules merged into " + merged.tensors() + " weights of " + target.getFileName());
        }
    }
}
