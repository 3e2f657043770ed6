package dev.lathe.lora;

import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.nn.AdaptableLayer;
import dev.lathe.nn.Conv2d;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the layers a kohya-ss LoRA adapts and names them, as {@code networks/lora.py} does:
 *
 * <ul>
 * <li>text encoders: every Linear inside {@code CLIPAttention} and {@code CLIPMLP} (q/k/v/out
 *     projections, fc1, fc2);
 * <li>UNet: every Linear and 1x1 Conv2d inside {@code Transformer2DModel} blocks (proj_in,
 *     proj_out, attention projections, feed-forward);
 * <li>LoCon (a conv rank set): also everything inside {@code ResnetBlock2D}, {@code Downsample2D}
 *     and {@code Upsample2D} blocks: their 3x3 convolutions with the conv rank, their Linear
 *     ({@code time_emb_proj}) and 1x1 shortcut with the network rank;
 * <li>never: conv_in, conv_out, time and label embeddings, norms, token embeddings, text projections.
 * </ul>
 * Order: text encoders first (SDXL: 1 then 2), then the UNet, each in its layers' order; names:
 * {@link ModelPart#loraName}.
 */
public final class KohyaTargets {

    private KohyaTargets() {
    }

    /**
     * The LoRA modules for {@code parts} in kohya's creation order.
     *
     * @throws IllegalArgumentException when two layers would get the same name (kohya asserts
     *     the same), or a part is given twice
     */
    public static List<LoraModuleSpec> select(List<ModuleTree> parts, LoraDims dims, Coverage coverage) {
        List<ModuleTree> ordered = new ArrayList<>(parts);
        ordered.sort(Comparator.comparing(ModuleTree::part)); // text encoders before the UNet, as kohya creates them
        List<LoraModuleSpec> specs = new ArrayList<>();
        Set<ModelPart> seenParts = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (ModuleTree tree : ordered) {
            if (!seenParts.add(tree.part())) {
                throw new IllegalArgumentException("model part " + tree.part() + " given twice");
            }
            if (!coverage.covers(tree.part())) {
                continue;
            }
            List<BlockKind> targets = targetBlocks(tree.part(), dims);
            for (ModuleDescriptor layer : tree.modules()) {
                if (!targets.contains(layer.block()) || (!layer.kind().usesNetworkRank() && !dims.locon())) {
                    continue; // kohya skips 3x3 convs when no conv rank is set, wherever they are
                }
                LoraModuleSpec spec = layer.kind().usesNetworkRank()
                        ? new LoraModuleSpec(tree.part().loraName(layer.path()), tree.part(), layer, dims.rank(), dims.alpha())
                        : new LoraModuleSpec(tree.part().loraName(layer.path()), tree.part(), layer, dims.convRank(),
                                dims.convAlpha());
                if (!names.add(spec.name())) {
                    throw new IllegalArgumentException("two layers map to the LoRA name " + spec.name());
                }
                specs.add(spec);
            }
        }
        return specs;
    }

    /**
     * The LoRA targets of a loaded (or only checked) model, from its layers: each model part is
     * the layers below a key prefix, whose remainder is the module path kohya names the layer
     * after. Works for any model whose canonical layer names follow the layouts of {@link
     * StableDiffusionPaths}, e.g. SDXL with {@code model.diffusion_model.} (UNet, LDM paths),
     * {@code conditioner.embedders.0.transformer.} and {@code conditioner.embedders.1.transformer.}
     * (text encoders, Hugging Face paths).
     *
     * @param layers       the model's layers by canonical key prefix ({@code DiffusionModel.layers()})
     * @param partPrefixes the key prefix of each model part
     * @return in kohya's order; {@link LoraTarget#weightKey()} is the layer's name + {@code .weight}
     */
    public static List<LoraTarget> targets(Map<String, ? extends AdaptableLayer> layers,
                                           Map<ModelPart, String> partPrefixes, LoraScope scope) {
        if (!scope.unet() && !scope.textEncoder()) {
            return List.of();
        }
        List<ModuleTree> trees = new ArrayList<>();
        Map<String, String> layerOfPath = new HashMap<>();
        for (Map.Entry<ModelPart, String> part : partPrefixes.entrySet()) {
            String prefix = part.getValue();
            List<ModuleDescriptor> modules = new ArrayList<>();
            for (AdaptableLayer layer : layers.values()) {
                if (!layer.name().startsWith(prefix)) {
                    continue;
                }
                String path = layer.name().substring(prefix.length());
                int in = Math.toIntExact(layer.inFeatures());
                int out = Math.toIntExact(layer.outFeatures());
                modules.add(layer instanceof Conv2d conv
                        ? ModuleDescriptor.conv(path, in, out, conv.kernel(), conv.stride(), conv.padding())
                        : ModuleDescriptor.linear(path, in, out));
                layerOfPath.put(part.getKey() + ":" + path, layer.name());
            }
            modules.sort(Comparator.comparing(ModuleDescriptor::path, StableDiffusionPaths.kohyaOrder()));
            trees.add(new ModuleTree(part.getKey(), modules));
        }
        Coverage coverage = !scope.textEncoder() ? Coverage.UNET_ONLY : !scope.unet() ? Coverage.TEXT_ENCODER_ONLY
                : Coverage.ALL;
        // ranks do not matter for naming: a conv rank only switches the 3x3 convolutions on
        LoraDims dims = scope.convBlocks() ? LoraDims.of(1, 1).withConv(1, 1) : LoraDims.of(1, 1);
        List<LoraTarget> targets = new ArrayList<>();
        for (LoraModuleSpec spec : select(trees, dims, coverage)) {
            ModuleDescriptor m = spec.layer();
            String layer = layerOfPath.get(spec.part() + ":" + m.path());
            targets.add(new LoraTarget(spec.name(), layer + ".weight", m.in(), m.out(), m.kernel(), m.kind().isConv()));
        }
        return targets;
    }

    /** The blocks whose layers are adapted in {@code part}. */
    static List<BlockKind> targetBlocks(ModelPart part, LoraDims dims) {
        if (part.isTextEncoder()) {
            return BlockKind.TEXT_ENCODER_TARGETS;
        }
        return dims.locon() ? BlockKind.UNET_LOCON_TARGETS : BlockKind.UNET_TARGETS;
    }
}
