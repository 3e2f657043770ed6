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
 * Renders prompts × variants × seeds and writes each image where {@link Sink} says; optionally
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
            java.util.function.Consumer<Path> written) throws IOException {
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
                    progress.status("image " + (++done) + "/" + total);
                    RenderedImage image = renderer.render(request, (step, steps, loras) -> progress.advance(1));
                    Path file = image.write(sink.file(p, variant, image.parameters().seed()));
                    files.add(file);
                    written.accept(file);
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
                GridImage.write(file, cells, "Seed", columns, variants.size() > 1 ? "LoRA" : "Variant", rows);
                files.add(file);
                written.accept(file);
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
