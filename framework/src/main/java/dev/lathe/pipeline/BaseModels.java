package dev.lathe.pipeline;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.Options;
import dev.lathe.api.PluginChoice;
import dev.lathe.api.model.BaseModel;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.Recognition;
import dev.lathe.api.pipeline.StageContext;
import dev.lathe.safetensors.SafeTensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a stage's base checkpoint through its model family: the one the pipeline names, or the
 * installed family that recognizes the checkpoint.
 */
public final class BaseModels {

    private BaseModels() {
    }

    /**
     * The pipeline's base checkpoint, loaded as a {@link DiffusionModel}.
     *
     * @throws InvalidInputException when the pipeline names no checkpoint, no installed family
     *     recognizes it, or the family refuses it
     */
    public static DiffusionModel load(StageContext context, Path checkpoint, LoadOptions options) {
        if (checkpoint == null) {
            throw new InvalidInputException("Stage \"" + context.stageName() + "\" needs a base checkpoint: set \"checkpoint\""
                    + " at the top of the pipeline config (a .safetensors file or a diffusers folder).");
        }
        BaseModelFamily family = family(context, checkpoint);
        BaseModel model = family.load(checkpoint, options);
        if (model instanceof DiffusionModel diffusion) {
            return diffusion;
        }
        model.close();
        throw new InvalidInputException("The model family \"" + family.id() + "\" loads " + checkpoint + " but not as a "
                + "text-to-image diffusion model, which stage \"" + context.stageName() + "\" needs.");
    }

    /** The family the pipeline names, else the first installed family that recognizes {@code checkpoint}. */
    public static BaseModelFamily family(StageContext context, Path checkpoint) {
        String configured = context.baseModelFamily();
        if (configured != null) {
            return context.plugin(BaseModelFamily.class, new PluginChoice(configured, Options.empty()));
        }
        if (Files.isDirectory(checkpoint)) {
            throw new InvalidInputException(checkpoint + " is a folder: name its model family with \"family\" at the top of "
                    + "the pipeline config (e.g. \"sd15\" or \"sdxl\").");
        }
        List<String> reasons = new ArrayList<>();
        try (SafeTensorsFile file = SafeTensorsFile.open(checkpoint)) {
            for (String id : context.pluginIds(BaseModelFamily.class)) {
                BaseModelFamily family = context.plugin(BaseModelFamily.class, new PluginChoice(id, Options.empty()));
                Recognition r = family.recognize(file.tensors(), file.metadata());
                if (r.recognized()) {
                    return family;
                }
                reasons.add(id + ": " + r.reason());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + checkpoint + ": " + e.getMessage(), e);
        }
        throw new InvalidInputException(checkpoint + " is not a checkpoint of any installed model family ("
                + (reasons.isEmpty() ? "none is installed" : String.join("; ", reasons)) + "). Check that it is a complete "
                + "SD 1.x/2.x or SDXL checkpoint, or name its family with \"family\".");
    }
}
