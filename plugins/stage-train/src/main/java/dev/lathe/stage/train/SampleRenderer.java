package dev.lathe.stage.train;

import dev.lathe.api.model.DiffusionModel;
import dev.lathe.render.FileHashes;
import dev.lathe.render.LoraFolders;
import dev.lathe.render.RenderListener;
import dev.lathe.render.Renderer;
import dev.lathe.render.SampleDefaults;
import dev.lathe.render.TrainingSamples;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders the kohya sample prompts during training into {@code sample/}, named as kohya names
 * them ({@code <name>_e000003_00_<timestamp>_<seed>.png}, {@code <name>_000120_00_...} when by
 * step), each PNG with A1111's parameters. The LoRA renders as trained so far, without dropout;
 * the renderer draws its noise from its own seeded generator, so training is unaffected.
 */
final class SampleRenderer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SampleRenderer.class);

    private final TrainingSamples samples;
    private final Renderer renderer;
    private final TrainingAttachment attachment;

    private SampleRenderer(TrainingSamples samples, Renderer renderer, TrainingAttachment attachment) {
        this.samples = samples;
        this.renderer = renderer;
        this.attachment = attachment;
    }

    /** The renderer for the run's sample prompts, or null when it has none. Reads the prompt file now, so errors come first. */
    static SampleRenderer create(TrainSettings settings, DiffusionModel model, TrainingAttachment attachment, Path folder) {
        if (settings.samplePrompts() == null) {
            return null;
        }
        TrainingSamples samples = TrainingSamples.read(settings.samplePrompts(),
                SampleDefaults.kohya().withSampler(settings.sampleSampler()).withClipSkip(settings.clipSkip()), folder,
                settings.outputName());
        return new SampleRenderer(samples, new Renderer(model, LoraFolders.none(), FileHashes.userCache()), attachment);
    }

    /** Renders every sample prompt; {@code epoch} null when rendering for a step. */
    void render(Integer epoch, long step) throws Exception {
        attachment.forInference(() -> {
            List<Path> written = samples.render(renderer, epoch, step, RenderListener.NONE);
            LOG.info("Samples: {}", written.stream().map(p -> p.getFileName().toString()).toList());
        });
    }

    @Override
    public void close() {
        renderer.close();
    }
}
