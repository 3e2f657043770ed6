package dev.lathe.merge;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.cli.CommandPlugin;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.checkpoint.CheckpointLoader;
import dev.lathe.lora.CheckpointMerger;
import dev.lathe.lora.LoraToMerge;
import dev.lathe.pipeline.ConsoleProgress;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lathe merge}: a checkpoint with LoRAs merged into its weights, written as a new file. */
@Component(service = CommandPlugin.class, property = "id=merge")
public final class MergeCommand implements CommandPlugin {

    private final List<BaseModelFamily> families;

    @Activate
    public MergeCommand(@Reference(service = BaseModelFamily.class, cardinality = ReferenceCardinality.MULTIPLE,
            policyOption = ReferencePolicyOption.GREEDY) List<BaseModelFamily> families) {
        this.families = List.copyOf(families);
    }

    @Override
    public String id() {
        return "merge";
    }

    @Override
    public String description() {
        return "Merge LoRAs into a checkpoint's weights and write a new single-file checkpoint";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        return PicocliCommand.run(new Arguments(out, err), args, out);
    }

    @Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Merge kohya LoRA files into a checkpoint's weights (\"bake\" them in) and write the result as a "
                    + "new single-file .safetensors checkpoint, which renders like the base with the LoRAs applied and loads "
                    + "in AUTOMATIC1111, ComfyUI and diffusers like any checkpoint.",
                    "Every weight a LoRA adapts becomes W + strength * alpha/rank * up @ down, computed in float32 and stored "
                    + "in the weight's own type (F32, F16 or BF16); every other tensor is copied unchanged. The checkpoint's "
                    + "metadata is kept, and the merged LoRAs (file name, sshs_model_hash, strength) are recorded under "
                    + "lathe_merged_loras. The file is written to a temporary name and renamed when complete; the path "
                    + "written is printed."})
    private final class Arguments implements Callable<Integer> {

        @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
                description = "The base checkpoint: a single-file .safetensors (SD 1.x/2.x or SDXL).")
        Path checkpoint;

        @Option(names = "--lora", required = true, paramLabel = "FILE[:STRENGTH]",
                description = "A LoRA file to merge, repeatable (merged in the order given). STRENGTH (default 1) is a "
                        + "number; 0.5 merges half of it, a negative one subtracts it.")
        List<String> loras = new ArrayList<>();

        @Option(names = "--out", required = true, paramLabel = "FILE",
                description = "The merged checkpoint to write (.safetensors; its folder is created). Never the base itself.")
        Path target;

        @Option(names = "--family", paramLabel = "ID", description = "The checkpoint's model family (default: detected).")
        String family;

        private final PrintStream out;
        private final PrintStream err;

        Arguments(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() throws Exception {
            if (!Files.exists(checkpoint)) {
                throw new InvalidInputException("The checkpoint " + checkpoint + " does not exist. Give a .safetensors file "
                        + "with --checkpoint.");
            }
            List<LoraToMerge> parsed = new ArrayList<>();
            for (String lora : loras) {
                parsed.add(LoraArgument.parse(lora));
            }
            // The model only binds LoRA modules to weights; nothing runs on it, so the CPU will do.
            try (DiffusionModel model = CheckpointLoader.load(checkpoint, family, families, LoadOptions.cpuFloat32())) {
                CheckpointMerger.Merged merged = CheckpointMerger.merge(model, parsed, target,
                        new ConsoleProgress(err, System.console() != null));
                err.println("Merged " + parsed.size() + " LoRA(s), " + merged.modules() + " modules, into " + merged.tensors()
                        + " weights.");
                out.println(merged.checkpoint());
            }
            return 0;
        }
    }
}
