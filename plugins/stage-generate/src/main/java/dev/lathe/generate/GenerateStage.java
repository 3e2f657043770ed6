package dev.lathe.generate;

import dev.lathe.api.ArtifactRef;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.api.pipeline.StageResult;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.checkpoint.CheckpointLoader;
import dev.lathe.render.FileHashes;
import dev.lathe.render.LoraFolders;
import dev.lathe.render.LoraUse;
import dev.lathe.render.RenderRequest;
import dev.lathe.render.Renderer;
import dev.lathe.render.SampleDefaults;
import dev.lathe.render.SamplePrompt;
import dev.lathe.render.SamplePromptFile;
import dev.lathe.sampling.SamplerNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code generate}: renders prompts × seeds × LoRA variants with the pipeline's base checkpoint
 * into image folders that later stages consume (evaluation, datasets, comparisons), and optionally
 * one x/y grid per prompt.
 *
 * <p>Outputs: {@code images}, a folder with one subfolder per variant (LoRA file and strength;
 * {@code base} without LoRAs), each holding {@code pNN-SEED.png}; and {@code grid}, a folder with
 * {@code pNN.png} per prompt (rows: variants, columns: seeds), when {@code grid} is on. A LoRA
 * option may name a folder of LoRA files (e.g. a train stage's epochs): each file is then a
 * variant of its own, so {@code images} holds one subfolder per epoch, which the evaluate stage
 * scores as candidates. With {@code negativePrompts}, every LoRA variant is rendered once per
 * negative prompt (folders {@code <variant>+neg=<negative>}), for comparisons such as a negative
 * LoRA against the same negative prompt without it.
 *
 * <p>With the {@code dataset} option the images are also laid out as a kohya dataset,
 * output {@code dataset}: {@code dataset/<repeats>_<name>/} with each image and a same-named
 * {@code .txt} caption, which a train stage takes as its {@code dataset} (e.g. to train a LoRA on
 * images the base model renders badly, or on the good images of a LoRA at half strength).
 */
@Component(service = StageType.class, property = "id=generate")
public final class GenerateStage implements StageType {

    static final String PROMPTS = "prompts";
    static final String PROMPT_FILE = "promptFile";
    static final String NEGATIVE = "negativePrompt";
    static final String NEGATIVES = "negativePrompts";
    static final String SAMPLER = "sampler";
    static final String STEPS = "steps";
    static final String CFG = "cfg";
    static final String WIDTH = "width";
    static final String HEIGHT = "height";
    static final String CLIP_SKIP = "clipSkip";
    static final String SEED = "seed";
    static final String COUNT = "count";
    static final String SEEDS = "seeds";
    static final String LORAS = "loras";
    static final String LORA = "lora";
    static final String STRENGTH = "strength";
    static final String LORA_FOLDERS = "loraFolders";
    static final String GRID = "grid";
    static final String CHECKPOINT = "checkpoint";
    static final String TOKENIZER = "tokenizer";
    static final String PRECISION = "precision";
    static final String DATASET = "dataset";
    static final String REPEATS = "repeats";
    static final String DATASET_NAME = "name";
    static final String CAPTION = "caption";

    static final String IMAGES_OUTPUT = "images";
    static final String GRID_OUTPUT = "grid";
    static final String DATASET_OUTPUT = "dataset";

    private static final List<OptionSpec> OPTIONS = List.of(
            OptionSpec.list(PROMPTS, OptionSpec.string("prompt", null, "A prompt"),
                    "Prompts in A1111's syntax (emphasis, BREAK, <lora:name:strength> tags); give this or promptFile"),
            OptionSpec.path(PROMPT_FILE, "A kohya sample-prompt file: one prompt per line with --n, --w, --h, --s, --l, --d, "
                    + "--ss options overriding this stage's settings; # starts a comment"),
            OptionSpec.string(NEGATIVE, "", "The negative prompt (for prompt-file lines without --n)"),
            OptionSpec.list(NEGATIVES, OptionSpec.string("negativePrompt", null, "A negative prompt"),
                    "Negative prompts to compare: every LoRA variant is rendered once with each (\"\" for none), "
                            + "replacing negativePrompt and --n"),
            OptionSpec.string(SAMPLER, RenderRequest.DEFAULT_SAMPLER, "The sampler: A1111's name (\"Euler a\", \"DPM++ 2M "
                    + "Karras\") or the k-diffusion/kohya id (euler_a, dpmpp_2m_karras, ddim)"),
            OptionSpec.integer(STEPS, RenderRequest.DEFAULT_STEPS, "Sampling steps").min(1).max(RenderRequest.MAX_STEPS),
            OptionSpec.number(CFG, RenderRequest.DEFAULT_CFG, "Classifier-free guidance scale (1 = no guidance)").min(0),
            OptionSpec.integer(WIDTH, RenderRequest.DEFAULT_SIZE, "Image width in pixels, a multiple of 8").min(8).max(16384),
            OptionSpec.integer(HEIGHT, RenderRequest.DEFAULT_SIZE, "Image height in pixels, a multiple of 8").min(8).max(16384),
            OptionSpec.integer(CLIP_SKIP, 1, "1 = the usual text-encoder layer, 2 = the one before").min(1).max(12),
            OptionSpec.integer(SEED, null, "The first seed; image i of a prompt gets seed + i (default: from the stage's "
                    + "seed)").min(0).max(4294967295.0),
            OptionSpec.integer(COUNT, 1, "Images (consecutive seeds) per prompt and variant").min(1),
            OptionSpec.list(SEEDS, OptionSpec.integer("seed", null, "A seed").min(0).max(4294967295.0),
                    "Exactly these seeds for every prompt (instead of seed and count)"),
            OptionSpec.list(LORAS, OptionSpec.object("lora", List.of(
                    OptionSpec.artifact(LORA, "A LoRA file, a folder of them (one variant per file), or an earlier stage's "
                            + "output such as \"train.last\"").mandatory(),
                    OptionSpec.list(STRENGTH, OptionSpec.number("strength", null, "A strength"),
                            "Its strength, or a list of strengths to compare (one variant each)").withDefault(List.of(1.0))),
                    "A LoRA applied at run time"),
                    "LoRAs to apply; every combination of their files and strengths is one variant (default: none)"),
            OptionSpec.list(LORA_FOLDERS, OptionSpec.path("folder", "A folder"),
                    "Folders to look up <lora:name:...> prompt tags in (name.safetensors, also in subfolders)"),
            OptionSpec.bool(GRID, false, "Also write one x/y grid per prompt: variants down, seeds across"),
            OptionSpec.path(CHECKPOINT, "A checkpoint to render with instead of the pipeline's"),
            OptionSpec.path(TOKENIZER, "The CLIP tokenizer (folder with vocab.json and merges.txt, or the .gz file); "
                    + "default: beside the checkpoint, the cache, or downloaded once"),
            OptionSpec.choice(PRECISION, "float32", List.of("float32", "float16"),
                    "Compute type (float16 on a GPU only); images are always decoded in float32"),
            OptionSpec.object(DATASET, List.of(
                    OptionSpec.integer(REPEATS, 1, "Repeats per epoch: the number in the folder name <repeats>_<name>")
                            .min(1).max(100000),
                    OptionSpec.string(DATASET_NAME, null, "The rest of the folder name (default: the stage name)"),
                    OptionSpec.string(CAPTION, null, "Every image's caption (default: its prompt as plain text, "
                            + "without emphasis and tags)")),
                    "Also lay the images out as a kohya dataset folder (output \"dataset\") for a train stage"));

    private final List<BaseModelFamily> families;

    @Activate
    public GenerateStage(@Reference(service = BaseModelFamily.class, cardinality = ReferenceCardinality.MULTIPLE,
            policyOption = ReferencePolicyOption.GREEDY) List<BaseModelFamily> families) {
        this.families = List.copyOf(families);
    }

    @Override
    public String id() {
        return "generate";
    }

    @Override
    public String description() {
        return "Renders prompts x seeds x LoRA strengths into image folders (PNGs with A1111's parameters), with optional grids";
    }

    @Override
    public List<OptionSpec> options() {
        return OPTIONS;
    }

    @Override
    public Set<String> outputs() {
        return Set.of(IMAGES_OUTPUT, GRID_OUTPUT, DATASET_OUTPUT);
    }

    @Override
    public StageResult run(StageContext context) throws IOException {
        Options options = context.options();
        List<RenderBatch.PromptRun> prompts = prompts(context);
        List<String> negatives = options.has(NEGATIVES) ? options.getList(NEGATIVES) : List.of();
        List<Variant> variants = Variant.combinations(loraChoices(context), negatives);
        Path checkpoint = options.has(CHECKPOINT) ? options.getPath(CHECKPOINT) : context.baseCheckpoint();
        if (checkpoint == null) {
            throw new InvalidInputException("Stage \"" + context.stageName() + "\" has no checkpoint to render with: set the "
                    + "pipeline's \"checkpoint\" or the stage's \"" + CHECKPOINT + "\".");
        }
        RenderBatch batch = new RenderBatch(prompts, variants);
        Path images = context.stageDir().resolve("images");
        Path grids = context.stageDir().resolve("grids");
        boolean grid = options.getBoolean(GRID);
        DatasetWriter dataset = options.has(DATASET) ? DatasetWriter.create(context.stageDir().resolve("dataset"),
                datasetSpec(options.getObject(DATASET), context.stageName()), "stage \"" + context.stageName() + "\"") : null;
        String family = options.has(CHECKPOINT) ? null : context.family();
        LoadOptions load = new LoadOptions(context.device(), options.getString(PRECISION),
                options.has(TOKENIZER) ? options.getPath(TOKENIZER) : null);
        List<Path> loraFolders = options.has(LORA_FOLDERS) ? options.getList(LORA_FOLDERS) : List.of();
        try (DiffusionModel model = CheckpointLoader.load(checkpoint, family, families, load);
                Renderer renderer = new Renderer(model, new LoraFolders(loraFolders), FileHashes.userCache());
                Progress progress = context.progress("render " + batch.images() + " images", batch.steps())) {
            batch.run(renderer, (p, variant, seed) -> images.resolve(variant.folder()).resolve(imageName(p, seed)),
                    grid ? p -> grids.resolve(String.format("p%02d.png", p)) : null, progress, (file, image) -> {
                        if (dataset != null && image != null) {
                            String name = file.getFileName().toString();
                            dataset.add(file, variants.size() > 1 ? image.variant().folder() + "-" + name : name,
                                    image.image().parameters().prompt());
                        }
                    });
        }
        Map<String, Path> outputs = new LinkedHashMap<>();
        outputs.put(IMAGES_OUTPUT, images);
        if (grid) {
            outputs.put(GRID_OUTPUT, grids);
        }
        if (dataset != null) {
            outputs.put(DATASET_OUTPUT, dataset.root());
        }
        return new StageResult(outputs, batch.images() + " images: " + prompts.size() + " prompt(s) x " + variants.size()
                + " variant(s) x seeds" + (grid ? ", " + prompts.size() + " grid(s)" : "")
                + (dataset != null ? "; dataset " + dataset : ""));
    }

    /** {@code pNN-SEED.png}: prompt NN at that seed. */
    private static String imageName(int prompt, long seed) {
        return String.format("p%02d-%d.png", prompt, seed);
    }

    /** The {@code dataset} option: its name defaults to the stage's. */
    static DatasetWriter.Spec datasetSpec(Options dataset, String stageName) {
        return new DatasetWriter.Spec(dataset.getInt(REPEATS),
                dataset.has(DATASET_NAME) ? dataset.getString(DATASET_NAME) : stageName,
                dataset.has(CAPTION) ? dataset.getString(CAPTION) : null);
    }

    /** The prompts with their seeds; every sampler is checked here, before the model loads. */
    static List<RenderBatch.PromptRun> prompts(StageContext context) {
        Options options = context.options();
        boolean listed = options.has(PROMPTS) && !options.getList(PROMPTS).isEmpty();
        if (listed == options.has(PROMPT_FILE)) {
            throw new InvalidInputException("Stage \"" + context.stageName() + "\" needs its prompts either as \"" + PROMPTS
                    + "\" (a list of prompts) or as \"" + PROMPT_FILE + "\" (a kohya sample-prompt file), "
                    + (listed ? "not both." : "but has neither."));
        }
        List<Long> seeds = seeds(context);
        SampleDefaults defaults = new SampleDefaults(options.getString(SAMPLER), options.getInt(STEPS),
                options.getDouble(CFG), options.getInt(WIDTH), options.getInt(HEIGHT), options.getInt(CLIP_SKIP),
                options.getString(NEGATIVE));
        List<RenderBatch.PromptRun> runs = new ArrayList<>();
        if (listed) {
            for (String prompt : options.<String>getList(PROMPTS)) {
                RenderRequest request = new RenderRequest(prompt, defaults.negativePrompt(),
                        SamplerNames.resolve(defaults.sampler()).displayName(), defaults.steps(), defaults.scale(), 0,
                        defaults.width(), defaults.height(), defaults.clipSkip(), List.of());
                runs.add(new RenderBatch.PromptRun(request, seeds));
            }
        } else {
            for (SamplePrompt line : SamplePromptFile.read(options.getPath(PROMPT_FILE))) {
                RenderRequest request = line.toRequest(defaults);
                runs.add(new RenderBatch.PromptRun(request, line.seed() != null ? List.of(line.seed()) : seeds));
            }
        }
        return runs;
    }

    /** {@code seeds}, else {@code count} seeds from {@code seed} (default: from the stage's seed, below 2^32). */
    static List<Long> seeds(StageContext context) {
        Options options = context.options();
        if (options.has(SEEDS) && !options.getList(SEEDS).isEmpty()) {
            return List.copyOf(new LinkedHashSet<>(options.<Long>getList(SEEDS)));
        }
        long first = options.has(SEED) ? options.getLong(SEED) : Long.remainderUnsigned(context.seed(), 4294967296L);
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < options.getInt(COUNT); i++) {
            seeds.add(first + i);
        }
        return seeds;
    }

    /** Per LoRA option, its choices: every file (a folder's files in natural order) at every strength. */
    private static List<List<LoraUse>> loraChoices(StageContext context) {
        Options options = context.options();
        List<List<LoraUse>> choices = new ArrayList<>();
        if (!options.has(LORAS)) {
            return choices;
        }
        for (Options lora : options.<Options>getList(LORAS)) {
            ArtifactRef ref = lora.getArtifact(LORA);
            Path path = context.resolve(ref);
            List<Path> files = Files.isDirectory(path) ? loraFiles(path, ref) : List.of(path);
            List<LoraUse> uses = new ArrayList<>();
            for (Path file : files) {
                for (Object strength : lora.getList(STRENGTH)) {
                    uses.add(LoraUse.of(file, ((Number) strength).doubleValue()));
                }
            }
            choices.add(uses);
        }
        return choices;
    }

    private static List<Path> loraFiles(Path folder, ArtifactRef ref) {
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> found = files.filter(f -> f.getFileName().toString().endsWith(".safetensors"))
                    .sorted(NaturalOrder.BY_FILE_NAME).toList();
            if (found.isEmpty()) {
                throw new InvalidInputException("The LoRA folder " + folder + " (" + ref + ") holds no .safetensors files.");
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + folder + ": " + e.getMessage(), e);
        }
    }
}
