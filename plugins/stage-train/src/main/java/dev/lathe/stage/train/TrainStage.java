package dev.lathe.stage.train;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.OptimizerFactory;
import dev.lathe.api.optim.Parameter;
import dev.lathe.api.optim.ParameterGroup;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.lora.LoraAttachment;
import dev.lathe.lora.LoraDropout;
import dev.lathe.lora.LoraFile;
import dev.lathe.lora.LoraFileContents;
import dev.lathe.lora.LoraNetwork;
import dev.lathe.lora.ModelLoras;
import dev.lathe.lora.ModelPart;
import dev.lathe.checkpoint.CheckpointLoader;
import dev.lathe.api.PluginChoice;
import dev.lathe.api.Options;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.train.schedule.LrSchedule;
import dev.lathe.train.schedule.LrScheduleSettings;
import dev.lathe.train.schedule.LrSchedules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code train}: trains a kohya-compatible LoRA on the pipeline's base checkpoint from a kohya
 * dataset folder, writing into the stage folder {@code <name>-000001.safetensors} per saved epoch,
 * {@code <name>.safetensors} at the end, resumable states under {@code state/}, TensorBoard
 * events and {@code loss.csv} under {@code logs/}, and samples under {@code sample/}.
 *
 * <p>Outputs: {@code last} (the final LoRA), {@code best} (the saved epoch with the lowest
 * average loss), {@code epochs} (the stage folder, holding every saved file), {@code samples}.
 */
@Component(service = StageType.class, property = "id=train")
public final class TrainStage implements StageType {

    private static final Logger LOG = LoggerFactory.getLogger(TrainStage.class);

    private final DatasetBridge datasets;

    public TrainStage() {
        this(DatasetBridge::kohyaFolders);
    }

    /** With another source of training data (tests). */
    TrainStage(DatasetBridge datasets) {
        this.datasets = datasets;
    }

    @Override
    public String id() {
        return "train";
    }

    @Override
    public String description() {
        return "Trains a kohya-compatible LoRA (UNet and text encoder) on the base checkpoint from a kohya dataset folder";
    }

    @Override
    public List<OptionSpec> options() {
        return TrainOptions.SPECS;
    }

    @Override
    public Set<String> outputs() {
        return Set.of("last", "best", "epochs", "samples");
    }

    @Override
    public StageResult run(StageContext context) throws Exception {
        TrainSettings settings = TrainSettings.from(context.options(), context.stageName(), context.seed());
        Path stageDir = context.stageDir();
        TrainingState.Saved resumed = resumeFrom(settings, stageDir);
        if (context.baseCheckpoint() == null) {
            throw new InvalidInputException("Stage \"" + context.stageName() + "\" needs a base checkpoint: set \"checkpoint\""
                    + " at the top of the pipeline config (a .safetensors file or a diffusers folder).");
        }
        List<BaseModelFamily> families = context.pluginIds(BaseModelFamily.class).stream()
                .map(id -> context.plugin(BaseModelFamily.class, new PluginChoice(id, Options.empty()))).toList();
        try (DiffusionModel model = CheckpointLoader.load(context.baseCheckpoint(), context.family(), families,
                new LoadOptions(context.device(), "float32", settings.tokenizer()))) {
            LOG.info("Base model: {} ({})", model.source(), model.baseModelVersion());
            List<AutoCloseable> frozen = mergeLoras(context, settings, model);
            try {
                TrainingData data = datasets.open(settings, model, context, stageDir);
                return train(context, settings, model, data, resumed);
            } finally {
                for (int i = frozen.size() - 1; i >= 0; i--) {
                    frozen.get(i).close();
                }
            }
        }
    }

    private StageResult train(StageContext context, TrainSettings settings, DiffusionModel model, TrainingData data,
            TrainingState.Saved resumed) throws Exception {
        Path stageDir = context.stageDir();
        List<ModelLoras.Bound> bound = ModelLoras.forTargets(model, settings.scope(), settings.dims());
        if (bound.isEmpty()) {
            throw new InvalidInputException("The " + model.family() + " model has no LoRA target modules for the chosen "
                    + "parts (UNet: " + settings.scope().unet() + ", text encoder: " + settings.scope().textEncoder() + ").");
        }
        List<dev.lathe.lora.LoraModuleSpec> specs = bound.stream().map(ModelLoras.Bound::spec).toList();
        try (LoraNetwork network = createNetwork(context, settings, model, specs, resumed)) {
            BatchRandom dropoutRandom = new BatchRandom();
            try (TrainingAttachment attachment = new TrainingAttachment(network, bound, dropoutRandom);
                    SampleRenderer samples = SampleRenderer.create(settings, model, attachment,
                            stageDir.resolve("sample"))) {
                LOG.info("LoRA: {} modules on {} layers, rank {} alpha {}{}", network.modules().size(), attachment.size(),
                        settings.dims().rank(), settings.dims().alpha(), settings.dims().locon()
                                ? String.format(Locale.ROOT, ", conv rank %d alpha %s", settings.dims().convRank(),
                                settings.dims().convAlpha()) : "");
                List<ParameterGroup> groups = parameterGroups(network, settings);
                OptimizerFactory factory = context.plugin(OptimizerFactory.class, settings.optimizer());
                try (Optimizer optimizer = factory.create(groups, settings.optimizer().options())) {
                    int batches = data.batchesPerEpoch();
                    long stepsPerEpoch = Trainer.stepsPerEpoch(batches, settings.gradientAccumulation());
                    long total = settings.epochs() * stepsPerEpoch;
                    if (settings.maxTrainSteps() > 0) {
                        total = Math.min(total, settings.maxTrainSteps());
                    }
                    List<LrSchedule> schedules = new ArrayList<>();
                    List<Double> baseRates = new ArrayList<>();
                    for (ParameterGroup g : groups) {
                        if (!optimizer.ownsSchedule()) {
                            double base = g.requireLearningRate(factory.id());
                            baseRates.add(base);
                            schedules.add(LrSchedules.create(settings.lrScheduler(), new LrScheduleSettings(
                                    settings.lrWarmupSteps(), total, settings.lrNumCycles(), settings.lrPower(), base,
                                    dev.lathe.train.schedule.PolynomialSchedule.DEFAULT_LR_END)));
                        }
                    }
                    TrainProgress start = TrainProgress.start();
                    if (resumed != null) {
                        TrainingState.restoreOptimizer(resumed.folder(), optimizer);
                        start = resumed.progress();
                        LOG.info("Resuming from {} at epoch {}, step {}", resumed.folder(), start.epoch(), start.step());
                    }
                    RunFiles files = new RunFiles(context, settings, model, network, optimizer, data, total, factory.id(),
                            samples);
                    try (TrainLog log = files.openLog(resumed != null ? start.step() : 0,
                            groups.stream().map(ParameterGroup::name).toList())) {
                        Trainer trainer = new Trainer(settings, model, network,
                                groups.stream().map(ParameterGroup::parameters).toList(), optimizer, schedules, baseRates,
                                data, log, files, dropoutRandom);
                        long totalSteps = total;
                        TrainProgress end = trainer.run(start, () -> context.progress("train", totalSteps));
                        return files.finish(end);
                    }
                }
            }
        }
    }

    /** The network to train: resumed, continued from a LoRA file, or new. */
    private static LoraNetwork createNetwork(StageContext context, TrainSettings settings, DiffusionModel model,
            List<dev.lathe.lora.LoraModuleSpec> specs, TrainingState.Saved resumed) throws IOException {
        if (resumed != null) {
            return LoraNetwork.load(model.manager(), specs, TrainingState.network(resumed.folder()), 1f, settings.dropout());
        }
        if (settings.networkWeights() != null) {
            Path file = context.resolve(settings.networkWeights());
            return LoraNetwork.load(model.manager(), specs, LoraFile.read(file), 1f, settings.dropout());
        }
        return LoraNetwork.create(model.manager(), specs, settings.seed(), 1f, settings.dropout());
    }

    /** kohya's parameter groups: the text encoders' LoRA first, then the UNet's, each with its rate. */
    private static List<ParameterGroup> parameterGroups(LoraNetwork network, TrainSettings settings) {
        List<ParameterGroup> groups = new ArrayList<>();
        List<Parameter> text = network.parameters(ModelPart::isTextEncoder);
        Predicate<ModelPart> unetPart = part -> !part.isTextEncoder();
        List<Parameter> unet = network.parameters(unetPart);
        if (!text.isEmpty()) {
            groups.add(new ParameterGroup("text_encoder", text, settings.textEncoderLr()));
        }
        if (!unet.isEmpty()) {
            groups.add(new ParameterGroup("unet", unet, settings.unetLr()));
        }
        return groups;
    }

    /** LoRAs the config merges into the base model, applied as frozen adapters; closed after training. */
    private static List<AutoCloseable> mergeLoras(StageContext context, TrainSettings settings, DiffusionModel model)
            throws IOException {
        List<AutoCloseable> opened = new ArrayList<>();
        for (TrainSettings.Merge merge : settings.merges()) {
            Path file = context.resolve(merge.lora());
            LoraFileContents contents = LoraFile.read(file);
            List<ModelLoras.Bound> bound = ModelLoras.forFile(model, contents);
            LoraNetwork network = LoraNetwork.load(model.manager(), bound.stream().map(ModelLoras.Bound::spec).toList(),
                    contents, (float) merge.weight(), LoraDropout.none());
            opened.add(network);
            opened.add(LoraAttachment.attach(network, bound, null));
            LOG.info("Applied {} at weight {} to the base model ({} modules)", file.getFileName(), merge.weight(), bound.size());
        }
        return opened;
    }

    /** The state to resume from, or null. */
    private static TrainingState.Saved resumeFrom(TrainSettings settings, Path stageDir) throws IOException {
        if (settings.resume() == null) {
            return null;
        }
        Path folder;
        if ("auto".equals(settings.resume())) {
            folder = TrainingState.latest(stageDir).orElse(null);
            if (folder == null) {
                LOG.info("No saved training state in {}: starting from the beginning", stageDir.resolve(TrainingState.FOLDER));
                return null;
            }
        } else {
            folder = Path.of(settings.resume());
            if (!Files.isDirectory(folder)) {
                throw new InvalidInputException("\"resume\" names " + folder + ", which is not a training state folder. "
                        + "Give a folder state/step-NNNNNNNN of an earlier run, or \"auto\" for the newest one in this stage's "
                        + "folder.");
            }
        }
        TrainingState.Saved saved = TrainingState.read(folder);
        TrainingState.requireSameOptions(saved, fixedOptions(settings));
        return saved;
    }

    /** The options that must not change across a resumption, as text. */
    static Map<String, String> fixedOptions(TrainSettings settings) {
        Map<String, String> fixed = new LinkedHashMap<>();
        for (String name : TrainingState.FIXED_OPTIONS) {
            fixed.put(name, String.valueOf(settings.options().find(name).orElse(null)));
        }
        fixed.put(TrainOptions.SEED, Long.toString(settings.seed()));
        return fixed;
    }
}
