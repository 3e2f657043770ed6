package dev.lathe.generate;

import dev.lathe.api.pipeline.Progress;
import dev.lathe.render.GridImage;
import dev.lathe.render.RenderRequest;
import dev.lathe.render.RenderedImage;
import dev.lathe.render.Renderer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders prompts × variants × seeds and writes each image where {@link Sink} says (a variant's
 * LoRAs added to the prompt's, its negative prompt, if it has one, replacing the prompt's); optionally
 * one x/y grid per prompt (rows: variants, columns: seeds). Shared by {@code lathe sample} and
 * the generate stage.
 */
final class RenderBatch {

    /** One prompt with the seeds it is rendered at. */
    record PromptRun(RenderRequest request, List<Long> seeds) {
        PromptRun {
            seeds = List.copyOf(seeds);
        }
    }

    /** Where image {@code seedIndex} of prompt {@code promptIndex} in {@code variant} goes. */
    @FunctionalInterface
    interface Sink {
        Path file(int promptIndex, Variant variant, long seed);
    }

    /** Hears about every file written: an image (with where it came from) or a grid ({@code image} null). */
    @FunctionalInterface
    interface Written {
        void file(Path file, WrittenImage image) throws IOException;
    }

    /** An image {@link #run} wrote: prompt {@code promptIndex} rendered in {@code variant}. */
    record WrittenImage(int promptIndex, Variant variant, RenderedImage image) {
    }

    private final List<PromptRun> prompts;
    private final List<Variant> variants;

    RenderBatch(List<PromptRun> prompts, List<Variant> variants) {
        this.prompts = List.copyOf(prompts);
        this.variants = List.copyOf(variants);
    }

    int images() {
        return prompts.stream().mapToInt(p -> p.seeds().size()).sum() * variants.size();
    }

    long steps() {
        return prompts.stream().mapToLong(p -> (long) p.seeds().size() * p.request().steps()).sum() * variants.size();
    }

    /**
     * Renders everything, advancing {@code progress} once per sampling step.
     *
     * @param grid where prompt i's grid goes ({@code grid.apply(i)}), or null for no grids
     * @return the files written, images first, then grids
     */
    List<Path> run(Renderer renderer, Sink sink, java.util.function.IntFunction<Path> grid, Progress progress,
            Written written) throws IOException {
        List<Path> files = new ArrayList<>();
        int done = 0;
        int total = images();
        for (int p = 0; p < prompts.size(); p++) {
            PromptRun prompt = prompts.get(p);
            List<List<RenderedImage>> cells = new ArrayList<>();
            for (Variant variant : variants) {
                List<RenderedImage> row = new ArrayList<>();
                for (long seed : prompt.seeds()) {
                    RenderRequest request = prompt.request().withSeed(seed).withLoras(concat(prompt.request(), variant));
                    if (variant.negativePrompt() != null) {
                        request = request.withNegativePrompt(variant.negativePrompt());
                    }
                    progress.status("image " + (++done) + "/" + total);
                    RenderedImage image = renderer.render(request, (step, steps, loras) -> progress.advance(1));
                    Path file = image.write(sink.file(p, variant, image.parameters().seed()));
                    files.add(file);
                    written.file(file, new WrittenImage(p, variant, image));
                    if (grid != null) {
                        row.add(image);
                    }
                }
                cells.add(row);
            }
            if (grid != null) {
                List<String> columns = prompt.seeds().stream().map(s -> "seed " + s).toList();
                List<String> rows = variants.stream().map(Variant::label).toList();
                Path file = grid.apply(p);
                boolean loraRows = variants.size() > 1 && variants.stream().allMatch(v -> v.negativePrompt() == null);
                GridImage.write(file, cells, "Seed", columns, loraRows ? "LoRA" : "Variant", rows);
                files.add(file);
                written.file(file, null);
            }
        }
        return files;
    }

    private static List<dev.lathe.render.LoraUse> concat(RenderRequest request, Variant variant) {
        List<dev.lathe.render.LoraUse> all = new ArrayList<>(request.loras());
        all.addAll(variant.loras());
        return all;
    }
}
