package dev.lathe.generate;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.cli.CommandPlugin;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.pipeline.ConsoleProgress;
import dev.lathe.checkpoint.CheckpointLoader;
import dev.lathe.render.FileHashes;
import dev.lathe.render.LoraFolders;
import dev.lathe.render.LoraUse;
import dev.lathe.render.RenderRequest;
import dev.lathe.render.Renderer;
import dev.lathe.sampling.SamplerNames;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lathe sample}: txt2img from the command line, with LoRAs at run time, writing PNGs that
 * carry A1111's parameters.
 */
@Component(service = CommandPlugin.class, property = "id=sample")
public final class SampleCommand implements CommandPlugin {

    private static final Pattern NUMBERED = Pattern.compile("(\\d{5})-.*\\.png");

    private final List<BaseModelFamily> families;

    @Activate
    public SampleCommand(@Reference(service = BaseModelFamily.class, cardinality = ReferenceCardinality.MULTIPLE,
            policyOption = ReferencePolicyOption.GREEDY) List<BaseModelFamily> families) {
        this.families = List.copyOf(families);
    }

    @Override
    public String id() {
        return "sample";
    }

    @Override
    public String description() {
        return "Render images from a prompt with any checkpoint and LoRAs (PNGs with A1111's parameters)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        return PicocliCommand.run(new Arguments(out, err), args, out);
    }

    @Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Render txt2img images with a checkpoint and any number of kohya LoRA files applied at run time "
                    + "(unmerged), as AUTOMATIC1111 renders them. Every PNG carries A1111's \"parameters\" text, so A1111's "
                    + "PNG Info and civitai read the prompt, seed and settings back. Seeds give the same noise as A1111 with "
                    + "its random number source set to CPU.",
                    "The prompt takes A1111's syntax: (emphasis:1.2), BREAK, long prompts, and <lora:name:0.8> tags (also "
                    + "strength schedules <lora:name:1@0,0@1>) looked up in --lora-dir.",
                    "Images are written as NNNNN-SEED.png into --out (a folder), or to --out itself when it names one .png "
                    + "file. The files written are printed, one per line."})
    private final class Arguments implements Callable<Integer> {

        @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
                description = "The base checkpoint: a .safetensors file or a diffusers folder.")
        Path checkpoint;

        @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt (A1111 syntax).")
        String prompt;

        @Option(names = "--negative", paramLabel = "TEXT", defaultValue = "", description = "The negative prompt.")
        String negative;

        @Option(names = "--lora", paramLabel = "FILE[:STRENGTH]",
                description = "A LoRA file to apply, repeatable. STRENGTH (default 1) is a number, TE:UNET strengths, or "
                        + "a schedule over the steps such as 1@0,0@1.")
        List<String> loras = new ArrayList<>();

        @Option(names = "--lora-dir", paramLabel = "DIR",
                description = "A folder to look up <lora:name:...> prompt tags in (name.safetensors, also in subfolders); "
                        + "repeatable.")
        List<Path> loraDirs = new ArrayList<>();

        @Option(names = "--lora-axis", paramLabel = "FILE:S1,S2,...",
                description = "Compare a LoRA at several strengths: every image is rendered once per strength "
                        + "(the rows of --grid).")
        String loraAxis;

        @Option(names = "--sampler", defaultValue = RenderRequest.DEFAULT_SAMPLER, paramLabel = "NAME",
                description = "A1111's name (\"Euler a\", \"DPM++ 2M Karras\", DDIM) or the k-diffusion/kohya id "
                        + "(euler_a, dpmpp_2m_karras, ddim). Default: ${DEFAULT-VALUE}.")
        String sampler;

        @Option(names = "--steps", defaultValue = "20", paramLabel = "N", description = "Sampling steps (default ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--cfg", defaultValue = "7", paramLabel = "SCALE",
                description = "Classifier-free guidance scale (default ${DEFAULT-VALUE}; 1 = no guidance).")
        double cfg;

        @Option(names = "--seed", defaultValue = "-1", paramLabel = "N",
                description = "The first image's seed; image i gets seed + i, as in A1111. -1 (default): a random seed.")
        long seed;

        @Option(names = "--width", defaultValue = "512", paramLabel = "PIXELS", description = "Width, a multiple of 8 (default ${DEFAULT-VALUE}).")
        int width;

        @Option(names = "--height", defaultValue = "512", paramLabel = "PIXELS", description = "Height, a multiple of 8 (default ${DEFAULT-VALUE}).")
        int height;

        @Option(names = "--count", defaultValue = "1", paramLabel = "N", description = "How many images (seeds) to render (default ${DEFAULT-VALUE}).")
        int count;

        @Option(names = "--clip-skip", defaultValue = "1", paramLabel = "N",
                description = "1 = the usual text-encoder layer, 2 = the one before (default ${DEFAULT-VALUE}).")
        int clipSkip;

        @Option(names = "--out", defaultValue = ".", paramLabel = "DIR|FILE.png",
                description = "A folder for the images (default: the current folder), or one .png file for a single image.")
        Path outPath;

        @Option(names = "--grid", paramLabel = "FILE.png",
                description = "Also write an x/y grid of all images: seeds across, --lora-axis strengths down.")
        Path grid;

        @Option(names = "--family", paramLabel = "ID", description = "The checkpoint's model family (default: detected).")
        String family;

        @Option(names = "--tokenizer", paramLabel = "PATH",
                description = "Folder (vocab.json + merges.txt) or .gz file of the CLIP tokenizer (default: beside the "
                        + "checkpoint, then the cache, then downloaded once).")
        Path tokenizer;

        @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu", description = "Where to run (default ${DEFAULT-VALUE}).")
        String device;

        @Option(names = "--precision", defaultValue = "float32", paramLabel = "float32|float16",
                description = "Compute type; float16 on a GPU only (default ${DEFAULT-VALUE}). Images are decoded in float32.")
        String precision;

        private final PrintStream out;
        private final PrintStream err;

        Arguments(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() throws Exception {
            SamplerNames.resolve(sampler);
            if (count < 1) {
                throw new InvalidInputException("--count must be at least 1, got " + count + ".");
            }
            if (!List.of("cpu", "gpu").contains(device)) {
                throw new InvalidInputException("--device must be cpu or gpu, got \"" + device + "\".");
            }
            if (!Files.exists(checkpoint)) {
                throw new InvalidInputException("The checkpoint " + checkpoint + " does not exist. Give a .safetensors file "
                        + "or a diffusers folder with --checkpoint.");
            }
            List<LoraUse> fixed = new ArrayList<>();
            for (String lora : loras) {
                fixed.add(LoraArgument.parse(lora, "--lora"));
            }
            List<List<LoraUse>> axis = loraAxis == null ? List.of() : List.of(LoraArgument.axis(loraAxis, "--lora-axis"));
            List<Variant> variants = Variant.combinations(axis);
            long first = seed >= 0 ? seed : new SplittableRandom().nextLong(0, 4294967295L - count);
            List<Long> seeds = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                seeds.add(first + i);
            }
            RenderRequest request = new RenderRequest(prompt, negative, sampler, steps, cfg, first, width, height, clipSkip,
                    fixed);
            RenderBatch batch = new RenderBatch(List.of(new RenderBatch.PromptRun(request, seeds)), variants);
            boolean singleFile = outPath.getFileName() != null && outPath.getFileName().toString().toLowerCase().endsWith(".png");
            if (singleFile && batch.images() > 1) {
                throw new InvalidInputException("--out " + outPath + " names one file, but " + batch.images() + " images will "
                        + "be rendered (--count " + count + (loraAxis == null ? "" : ", --lora-axis") + "). Give a folder.");
            }
            Path folder = singleFile ? null : outPath;
            int[] next = {singleFile ? 0 : nextNumber(folder)};
            RenderBatch.Sink sink = (p, variant, imageSeed) -> singleFile ? outPath
                    : folder.resolve(String.format("%05d-%d.png", next[0]++, imageSeed));

            LoadOptions options = new LoadOptions(device, precision, tokenizer);
            try (DiffusionModel model = CheckpointLoader.load(checkpoint, family, families, options);
                    Renderer renderer = new Renderer(model, new LoraFolders(loraDirs), FileHashes.userCache());
                    Progress progress = new ConsoleProgress(err, System.console() != null).start("sample", batch.steps())) {
                batch.run(renderer, sink, grid == null ? null : i -> grid, progress, (file, image) -> out.println(file));
            }
            return 0;
        }
    }

    /** The number after the highest {@code NNNNN-...png} in {@code folder}, as A1111 numbers its outputs. */
    static int nextNumber(Path folder) {
        if (!Files.isDirectory(folder)) {
            if (Files.exists(folder)) {
                throw new InvalidInputException("--out " + folder + " exists but is not a folder (and not a .png file name).");
            }
            return 0;
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> NUMBERED.matcher(f.getFileName().toString())).filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1)) + 1).max().orElse(0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + folder + ": " + e.getMessage(), e);
        }
    }
}
