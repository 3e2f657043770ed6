package dev.lathe.checkpoint;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.BaseModel;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.Recognition;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Loads a base checkpoint (a single {@code .safetensors} file or a diffusers folder) through its
 * model family plugin: the family named (a pipeline's {@code family}, {@code --family}) or, when
 * none is, the first installed family that recognizes the checkpoint from its tensor names and
 * shapes ({@link CheckpointRecognizer}, as {@code lathe inspect} and the pipeline check detect it).
 */
public final class CheckpointLoader {

    private CheckpointLoader() {
    }

    /**
     * The family of {@code checkpoint}.
     *
     * @param familyId  the family to use, or null to detect it
     * @param installed every installed family
     * @throws InvalidInputException for a family that is not installed, or a checkpoint no
     *     installed family recognizes (with each family's reason)
     */
    public static BaseModelFamily family(Path checkpoint, String familyId, Collection<BaseModelFamily> installed) {
        List<BaseModelFamily> families = installed.stream().sorted(Comparator.comparing(BaseModelFamily::id)).toList();
        Recognition recognition = new CheckpointRecognizer(families).require(checkpoint, familyId);
        return families.stream().filter(f -> f.id().equals(recognition.family())).findFirst().orElseThrow();
    }

    /**
     * Loads {@code checkpoint} with its family (named or detected).
     *
     * @throws InvalidInputException as {@link #family} and the family's loader throw it, or when
     *     the family's models cannot render (not a {@link DiffusionModel})
     */
    public static DiffusionModel load(Path checkpoint, String familyId, Collection<BaseModelFamily> installed,
            LoadOptions options) {
        BaseModelFamily family = family(checkpoint, familyId, installed);
        BaseModel model = family.load(checkpoint, options);
        if (model instanceof DiffusionModel diffusion) {
            return diffusion;
        }
        model.close();
        throw new InvalidInputException("The model family \"" + family.id() + "\" loads " + checkpoint + " but its models "
                + "cannot be sampled or trained (the family does not implement DiffusionModel).");
    }
}
