package dev.lathe.lora;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.nn.AdaptableLayer;
import dev.lathe.nn.Conv2d;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA networks for a loaded {@link DiffusionModel}: the module specs of its kohya targets (to
 * train a new LoRA) or of a LoRA file's modules (to apply or continue one), and the layer each
 * module adapts.
 */
public final class ModelLoras {

    private ModelLoras() {
    }

    /** A module spec and the model layer it adapts. */
    public record Bound(LoraModuleSpec spec, AdaptableLayer layer) {
    }

    /**
     * The modules a new LoRA with {@code dims} has on {@code model} for {@code scope}, in kohya's
     * order. 3x3 convolutions (LoCon) get the conv rank and alpha, everything else the network's.
     */
    public static List<Bound> forTargets(DiffusionModel model, LoraScope scope, LoraDims dims) {
        List<Bound> bound = new ArrayList<>();
        for (LoraTarget target : model.loraTargets(scope)) {
            AdaptableLayer layer = layerOf(model, target);
            boolean spatial = target.kernel() > 1;
            if (spatial && !dims.locon()) {
                continue;
            }
            int rank = spatial ? dims.convRank() : dims.rank();
            float alpha = spatial ? dims.convAlpha() : dims.alpha();
            bound.add(new Bound(new LoraModuleSpec(target.loraName(), partOf(target.loraName()),
                    descriptor(target, layer), rank, alpha), layer));
        }
        return bound;
    }

    /**
     * The modules of a LoRA file on {@code model}, with the file's ranks and alphas.
     *
     * @throws InvalidInputException for a LoRA of the other architecture (SDXL vs SD 1.x/2.x,
     *     {@link LoraCompatibility}), or naming the file's modules that {@code model} has no layer
     *     for (a LoRA for another family or architecture) or whose shapes do not fit
     */
    public static List<Bound> forFile(DiffusionModel model, LoraFileContents file) {
        LoraCompatibility.check(model, file);
        Map<String, LoraTarget> targets = new LinkedHashMap<>();
        for (LoraTarget target : model.loraTargets(new LoraScope(true, true, true))) {
            targets.put(target.loraName(), target);
        }
        List<Bound> bound = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        List<String> misshapen = new ArrayList<>();
        for (LoraWeights weights : file.modules().values()) {
            LoraTarget target = targets.get(weights.name());
            if (target == null) {
                unknown.add(weights.name());
                continue;
            }
            AdaptableLayer layer = layerOf(model, target);
            ModuleDescriptor descriptor = descriptor(target, layer);
            LoraModuleSpec spec = new LoraModuleSpec(weights.name(), partOf(weights.name()), descriptor,
                    weights.rank(), weights.alpha());
            if (!java.util.Arrays.equals(weights.down().shape(), spec.downShape())
                    || !java.util.Arrays.equals(weights.up().shape(), spec.upShape())) {
                misshapen.add(weights.name());
                continue;
            }
            bound.add(new Bound(spec, layer));
        }
        if (!unknown.isEmpty() || !misshapen.isEmpty()) {
            String family = model.family();
            String hint = unknown.stream().anyMatch(n -> n.startsWith("lora_te1_") || n.startsWith("lora_te2_"))
                    && !"sdxl".equals(family) ? " It looks like an SDXL LoRA; use it with an SDXL checkpoint."
                    : unknown.stream().anyMatch(n -> n.startsWith("lora_te_")) && "sdxl".equals(family)
                    ? " It looks like an SD 1.x/2.x LoRA; use it with an SD 1.5 checkpoint." : "";
            throw new InvalidInputException(file.file() + " does not fit the " + family + " checkpoint "
                    + model.source().getFileName() + ": " + listed(unknown.size() + " module(s) name no layer of it",
                    unknown) + listed(misshapen.size() + " module(s) have shapes for another architecture", misshapen)
                    + hint);
        }
        return bound;
    }

    /** Which part of the model a kohya module name belongs to. */
    public static ModelPart partOf(String loraName) {
        for (ModelPart part : List.of(ModelPart.TEXT_ENCODER_1, ModelPart.TEXT_ENCODER_2, ModelPart.TEXT_ENCODER,
                ModelPart.UNET)) {
            if (loraName.startsWith(part.prefix() + "_")) {
                return part;
            }
        }
        throw new IllegalArgumentException("not a kohya LoRA module name: " + loraName);
    }

    private static AdaptableLayer layerOf(DiffusionModel model, LoraTarget target) {
        String key = target.weightKey().endsWith(".weight")
                ? target.weightKey().substring(0, target.weightKey().length() - ".weight".length()) : target.weightKey();
        AdaptableLayer layer = model.layers().get(key);
        if (layer == null) {
            throw new IllegalStateException("the " + model.family() + " model names LoRA target " + target.loraName()
                    + " at " + key + " but has no such layer");
        }
        return layer;
    }

    private static ModuleDescriptor descriptor(LoraTarget target, AdaptableLayer layer) {
        String path = target.loraName().substring(target.loraName().indexOf('_', "lora_".length()) + 1);
        int in = Math.toIntExact(target.inFeatures());
        int out = Math.toIntExact(target.outFeatures());
        if (!target.conv()) {
            return new ModuleDescriptor(path, BlockKind.OTHER, LayerKind.LINEAR, in, out, 1, 1, 0);
        }
        int stride = layer instanceof Conv2d conv ? conv.stride() : 1;
        int padding = layer instanceof Conv2d conv ? conv.padding() : (target.kernel() - 1) / 2;
        return new ModuleDescriptor(path, BlockKind.OTHER, target.kernel() == 1 ? LayerKind.CONV_1X1 : LayerKind.CONV,
                in, out, target.kernel(), stride, padding);
    }

    private static String listed(String what, List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        return what + " (" + String.join(", ", names.subList(0, Math.min(8, names.size())))
                + (names.size() > 8 ? ", ..." : "") + "). ";
    }
}
