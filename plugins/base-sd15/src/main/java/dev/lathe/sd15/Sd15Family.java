package dev.lathe.sd15;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.BaseModel;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.api.model.Recognition;
import dev.lathe.nn.WeightSource;
import dev.lathe.nn.Weights;
import dev.lathe.safetensors.TensorInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code sd15} model family: Stable Diffusion 1.x checkpoints (and SD 2.x-style ones: OpenCLIP
 * text encoder, linear transformer projections, 64-channel heads), single-file or diffusers
 * folder, F32/F16/BF16. SDXL checkpoints are recognized as such and sent to the {@code sdxl} family.
 */
@Component(service = dev.lathe.api.model.BaseModelFamily.class, property = "id=" + Sd15Model.FAMILY)
public final class Sd15Family implements BaseModelFamily {

    @Override
    public String id() {
        return Sd15Model.FAMILY;
    }

    @Override
    public String description() {
        return "Stable Diffusion 1.x (and SD 2.x-style) checkpoints: single .safetensors file or diffusers folder";
    }

    @Override
    public Recognition recognize(Map<String, TensorInfo> tensors) {
        return recognize(tensors, Map.of());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Every tensor the inferred architecture needs is checked against the header too.
     *
     * @throws InvalidInputException for an SD 1.x/2.x checkpoint with missing or misshapen tensors, listed
     */
    @Override
    public Recognition recognize(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        String sdxl = Sd15Layout.sdxlEvidence(tensors);
        if (sdxl != null) {
            return Recognition.notRecognized(id(), "an SDXL checkpoint (" + sdxl + "): use family sdxl");
        }
        boolean diffusers = Sd15Layout.isDiffusers(tensors);
        if (!diffusers && tensors.keySet().stream().noneMatch(n -> n.startsWith(Sd15Layout.UNET))) {
            return Recognition.notRecognized(id(), "no Stable Diffusion UNet (neither model.diffusion_model.* nor a "
                    + "diffusers unet/ folder)");
        }
        WeightSource canonical = Sd15Layout.canonical(Sd15Layout.headerOnly(tensors));
        ArchitectureInference.Result r = ArchitectureInference.infer(canonical.infos(), metadata, diffusers,
                Sd15Layout.isOpenClip(tensors));
        if (r.architecture() == null) {
            return Recognition.notRecognized(id(), r.problem());
        }
        Weights check = Weights.check(canonical);
        Sd15Model.Parts.load(check, r.architecture());
        if (!check.problems().isEmpty()) {
            throw new InvalidInputException(Sd15Model.incomplete("The checkpoint", r.architecture(), check));
        }
        return Recognition.recognized(id(), r.architecture().variant(), r.architecture().toMap());
    }

    @Override
    public BaseModel load(Path checkpoint, LoadOptions options) {
        return Sd15Model.load(checkpoint, options);
    }

    @Override
    public List<LoraTarget> loraTargets(Map<String, TensorInfo> tensors, LoraScope scope) {
        return Sd15LoraTargets.targets(tensors, scope);
    }
}
