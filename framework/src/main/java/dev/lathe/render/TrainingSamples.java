package dev.lathe.render;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Sample images during training, as kohya-ss renders them: every prompt of a sample-prompt file,
 * named {@code <name>_e000003_00_<timestamp>_<seed>.png}, into one folder. The trainer decides
 * when (every N epochs or steps) and keeps whatever LoRA it trains attached to the model for
 * inference (no dropout) while {@link #render} runs.
 *
 * <p>The renders use their own seeded generators (see {@link Renderer}), so the trainer's random
 * state is untouched and training continues exactly as without samples.
 */
public final class TrainingSamples {

    private final List<SamplePrompt> prompts;
    private final SampleDefaults defaults;
    private final Path folder;
    private final String outputName;
    private final Clock clock;

    /**
     * Checks every prompt's sampler now, so that a bad prompt file stops the run before training
     * starts rather than at the first sample.
     *
     * @param outputName kohya's {@code output_name}, or null
     * @throws dev.lathe.api.InvalidInputException for a prompt whose sampler or numbers Lathe cannot render
     */
    public TrainingSamples(List<SamplePrompt> prompts, SampleDefaults defaults, Path folder, String outputName, Clock clock) {
        this.prompts = List.copyOf(prompts);
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        this.folder = Objects.requireNonNull(folder, "folder");
        this.outputName = outputName;
        this.clock = Objects.requireNonNull(clock, "clock");
        for (SamplePrompt prompt : this.prompts) {
            prompt.toRequest(defaults);
        }
    }

    /** The prompts of a kohya sample-prompt file, with the system clock for time stamps. */
    public static TrainingSamples read(Path promptFile, SampleDefaults defaults, Path folder, String outputName) {
        return new TrainingSamples(SamplePromptFile.read(promptFile), defaults, folder, outputName, Clock.systemDefaultZone());
    }

    public List<SamplePrompt> prompts() {
        return prompts;
    }

    /**
     * Renders every prompt with {@code renderer} and writes the PNGs (with their parameters chunk).
     *
     * @param epoch the epoch that just ended, or null when sampling by step
     * @param step  the global step
     * @return the files written, in prompt order
     */
    public List<Path> render(Renderer renderer, Integer epoch, long step, RenderListener listener) throws IOException {
        List<Path> written = new ArrayList<>();
        for (SamplePrompt prompt : prompts) {
            RenderedImage image = renderer.render(prompt.toRequest(defaults), listener);
            String name = SamplePromptFile.fileName(outputName, epoch, step, prompt.index(), LocalDateTime.now(clock),
                    prompt.seed());
            written.add(image.write(folder.resolve(name)));
        }
        return written;
    }
}
