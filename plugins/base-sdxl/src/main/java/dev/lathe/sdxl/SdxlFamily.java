package dev.lathe.sdxl;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.BaseModel;
import dev.lathe.api.model.BaseModelFamily;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.api.model.Recognition;
import dev.lathe.lora.KohyaTargets;
import dev.lathe.nn.WeightSource;
import dev.lathe.nn.Weights;
import dev.lathe.safetensors.TensorInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code sdxl} model family: Stable Diffusion XL base checkpoints (and fine-tunes of it),
 * single-file ({@code model.diffusion_model.*}, {@code first_stage_model.*},
 * {@code conditioner.embedders.0/1.*}) or diffusers folder ({@code unet}, {@code vae},
 * {@code text_encoder}, {@code text_encoder_2}), F32/F16/BF16. SD 1.x/2.x checkpoints are
 * recognized as such and sent to the {@code sd15} family.
 */
@Component(service = BaseModelFamily.class, property = "id=" + SdxlModel.FAMILY)
public final class SdxlFamily implements BaseModelFamily {

    @Override
    public String id() {
        return SdxlModel.FAMILY;
    }

    @Override
    public String description() {
        return "Stable Diffusion XL checkpoints (two text encoders, size conditioning): single .safetensors file or "
                + "diffusers folder";
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
     * @throws InvalidInputException for an SDXL checkpoint with missing or misshapen tensors, listed
     */
    @Override
    public Recognition recognize(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        Inspected inspected = inspect(tensors, metadata);
        if (inspected.architecture() == null) {
            return Recognition.notRecognized(id(), inspected.reason());
        }
        return Recognition.recognized(id(), inspected.architecture().variant(), inspected.architecture().toMap());
    }

    /** An architecture with its checked (not loaded) blocks, or the reason there is none. */
    record Inspected(SdxlArchitecture architecture, Weights check, String reason) {
    }

    /**
     * Recognizes a checkpoint from its header and builds its blocks in check mode.
     *
     * @throws InvalidInputException for an SDXL checkpoint with missing or misshapen tensors
     */
    static Inspected inspect(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        String foreign = SdxlModel.foreignEvidence(tensors);
        if (foreign != null) {
            String sd1 = SdxlLayout.sd1Evidence(tensors);
            return new Inspected(null, null, sd1 != null ? "an SD 1.x/2.x checkpoint (" + sd1 + "): use family sd15"
                    : "an SDXL refiner (" + SdxlLayout.refinerEvidence(tensors) + "): not supported");
        }
        boolean diffusers = SdxlLayout.isDiffusers(tensors);
        if (!diffusers && tensors.keySet().stream().noneMatch(n -> n.startsWith(SdxlLayout.UNET))) {
            return new Inspected(null, null, "no Stable Diffusion UNet (neither model.diffusion_model.* nor a diffusers "
                    + "unet/ folder)");
        }
        WeightSource canonical = SdxlLayout.canonical(WeightSource.headerOnly(tensors));
        SdxlArchitectureInference.Result r = SdxlArchitectureInference.infer(canonical, metadata, diffusers,
                SdxlLayout.isOpenClip(tensors), SdxlModel.isVPrediction(tensors));
        if (r.architecture() == null) {
            return new Inspected(null, null, r.problem());
        }
        Weights check = Weights.check(canonical);
        SdxlModel.Parts.load(check, r.architecture());
        if (!check.problems().isEmpty()) {
            throw new InvalidInputException(SdxlModel.incomplete("The checkpoint", r.architecture(), check));
        }
        return new Inspected(r.architecture(), check, null);
    }

    @Override
    public BaseModel load(Path checkpoint, LoadOptions options) {
        return SdxlModel.load(checkpoint, options);
    }

    /** {@inheritDoc} The same as a loaded model's {@link SdxlModel#loraTargets}, from shapes alone. */
    @Override
    public List<LoraTarget> loraTargets(Map<String, TensorInfo> tensors, LoraScope scope) {
        Inspected inspected = inspect(tensors, Map.of());
        if (inspected.architecture() == null) {
            throw new InvalidInputException("The checkpoint is not an SDXL checkpoint (" + inspected.reason()
                    + "), so the sdxl family cannot name its LoRA modules.");
        }
        return KohyaTargets.targets(inspected.check().layers(), SdxlModel.LORA_PARTS, scope);
    }
}
