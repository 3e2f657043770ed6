package dev.lathe.sd15;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.nn.WeightSource;
import dev.lathe.nn.unet.DiffusersUnetKeys;
import dev.lathe.nn.unet.UNetConfig;
import dev.lathe.safetensors.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The modules kohya-ss's {@code networks/lora.py} puts a LoRA on, with its names, for an SD 1.x/2.x
 * checkpoint:
 * <ul>
 * <li>text encoder: {@code self_attn.{k,v,q,out}_proj}, {@code mlp.fc1}, {@code mlp.fc2} of every layer,
 *     named {@code lora_te_text_model_encoder_layers_<i>_<module>} (HF module paths, dots → underscores);
 * <li>UNet: every Linear and 1x1 conv in each SpatialTransformer ({@code proj_in},
 *     {@code attn1/attn2.to_q/to_k/to_v/to_out.0}, {@code ff.net.0.proj}, {@code ff.net.2},
 *     {@code proj_out}); with LoCon ({@link LoraScope#convBlocks()}) also everything in the
 *     ResBlocks ({@code conv1}, {@code time_emb_proj}, {@code conv2}, {@code conv_shortcut}) and the
 *     down/upsampler convs. SD 1.x names use the diffusers module path:
 *     {@code lora_unet_down_blocks_0_attentions_0_proj_in}.
 * </ul>
 * {@link LoraTarget#weightKey()} is the weight's canonical (single-file SD 1.x) name, whatever the
 * file's layout, so that it minus {@code .weight} names the model's layer: for a diffusers folder
 * the LDM name of a {@code unet/} tensor, for an OpenCLIP encoder the Hugging Face name of the
 * q/k/v row view of the fused {@code in_proj_weight}.
 */
final class Sd15LoraTargets {

    private static final List<String> TEXT_MODULES = List.of("self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj",
            "self_attn.out_proj", "mlp.fc1", "mlp.fc2");

    private Sd15LoraTargets() {
    }

    static List<LoraTarget> targets(Map<String, TensorInfo> tensors, LoraScope scope) {
        Sd15Family family = new Sd15Family();
        var recognition = family.recognize(tensors);
        if (!recognition.recognized()) {
            throw new InvalidInputException("The checkpoint is not an SD 1.x/2.x checkpoint (" + recognition.reason()
                    + "), so the sd15 family cannot name its LoRA modules.");
        }
        WeightSource canonical = Sd15Layout.canonical(Sd15Layout.headerOnly(tensors));
        var inferred = ArchitectureInference.infer(canonical.infos(), Map.of(), Sd15Layout.isDiffusers(tensors),
                Sd15Layout.isOpenClip(tensors));
        List<LoraTarget> out = new ArrayList<>();
        if (scope.textEncoder()) {
            for (int layer = 0; layer < inferred.architecture().text().layers(); layer++) {
                for (String module : TEXT_MODULES) {
                    String path = "encoder.layers." + layer + "." + module;
                    add(out, canonical, "lora_te_text_model_" + path.replace('.', '_'), Sd15Layout.TEXT + path);
                }
            }
        }
        if (scope.unet()) {
            UNetConfig u = inferred.architecture().unet();
            for (String module : unetModules(u, scope.convBlocks())) {
                String diffusers = DiffusersUnetKeys.toDiffusers(module, u.numResBlocks(), u.middleTransformerDepth() > 0);
                add(out, canonical, "lora_unet_" + diffusers.replace('.', '_'), Sd15Layout.UNET + module);
            }
        }
        return out;
    }

    /** LDM module paths (below the UNet) that a LoRA covers, in block order. */
    static List<String> unetModules(UNetConfig u, boolean convBlocks) {
        List<String> modules = new ArrayList<>();
        int r = u.numResBlocks();
        int block = 1;
        for (int level = 0; level < u.levels(); level++) {
            for (int j = 0; j < r; j++, block++) {
                if (convBlocks) {
                    resBlock(modules, "input_blocks." + block + ".0", level > 0 && j == 0);
                }
                transformer(modules, "input_blocks." + block + ".1", u.transformerDepth().get(level));
            }
            if (level < u.levels() - 1) {
                if (convBlocks) {
                    modules.add("input_blocks." + block + ".0.op");
                }
                block++;
            }
        }
        if (convBlocks) {
            resBlock(modules, "middle_block.0", false);
        }
        transformer(modules, "middle_block.1", u.middleTransformerDepth());
        if (convBlocks) {
            resBlock(modules, "middle_block." + (u.middleTransformerDepth() > 0 ? 2 : 1), false);
        }
        block = 0;
        for (int level = u.levels() - 1; level >= 0; level--) {
            int depth = u.transformerDepth().get(level);
            for (int j = 0; j <= r; j++, block++) {
                if (convBlocks) {
                    resBlock(modules, "output_blocks." + block + ".0", true);
                }
                transformer(modules, "output_blocks." + block + ".1", depth);
                if (convBlocks && j == r && level > 0) {
                    modules.add("output_blocks." + block + "." + (depth > 0 ? 2 : 1) + ".conv");
                }
            }
        }
        return modules;
    }

    private static void resBlock(List<String> modules, String path, boolean maySkip) {
        modules.add(path + ".in_layers.2");
        modules.add(path + ".emb_layers.1");
        modules.add(path + ".out_layers.3");
        if (maySkip) {
            modules.add(path + ".skip_connection"); // dropped below when the block has none
        }
    }

    private static void transformer(List<String> modules, String path, int depth) {
        if (depth == 0) {
            return;
        }
        modules.add(path + ".proj_in");
        for (int k = 0; k < depth; k++) {
            String block = path + ".transformer_blocks." + k + ".";
            for (String attn : List.of("attn1", "attn2")) {
                for (String proj : List.of("to_q", "to_k", "to_v", "to_out.0")) {
                    modules.add(block + attn + "." + proj);
                }
            }
            modules.add(block + "ff.net.0.proj");
            modules.add(block + "ff.net.2");
        }
        modules.add(path + ".proj_out");
    }

    private static void add(List<LoraTarget> out, WeightSource canonical, String name, String module) {
        TensorInfo weight = canonical.info(module + ".weight");
        if (weight == null) {
            return; // e.g. a ResBlock without skip connection
        }
        long[] s = weight.shape();
        boolean conv = s.length == 4;
        out.add(new LoraTarget(name, module + ".weight", s[1], s[0], conv ? (int) s[2] : 1, conv));
    }
}
