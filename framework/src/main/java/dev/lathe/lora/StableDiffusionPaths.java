package dev.lathe.lora;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The module-path layouts kohya-ss names Stable Diffusion LoRAs after, and what can be read from
 * them: the enclosing block of a layer, and the order kohya creates LoRA modules in.
 *
 * <ul>
 * <li><b>SD 1.x/2.x UNet</b>: diffusers-style paths as kohya's own UNet names its modules,
 *     {@code down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q},
 *     {@code mid_block.resnets.0.conv1}, {@code up_blocks.1.upsamplers.0.conv};
 * <li><b>SDXL UNet</b>: the original (LDM/SGM) paths, {@code input_blocks.4.1.proj_in},
 *     {@code input_blocks.1.0.in_layers.2}, {@code input_blocks.3.0.op}, {@code middle_block.1...},
 *     {@code output_blocks.2.2.conv};
 * <li><b>text encoders</b>: Hugging Face CLIP paths, {@code text_model.encoder.layers.0.self_attn.q_proj},
 *     {@code ...mlp.fc1} (for SDXL's OpenCLIP encoder too, after conversion to that layout).
 * </ul>
 */
public final class StableDiffusionPaths {

    private static final Map<String, BlockKind> DIFFUSERS_CONTAINERS = Map.of(
            "attentions", BlockKind.TRANSFORMER,
            "resnets", BlockKind.RESNET,
            "downsamplers", BlockKind.DOWNSAMPLE,
            "upsamplers", BlockKind.UPSAMPLE);

    /** LDM blocks are numbered ({@code input_blocks.4.1}); what they are shows in their children's names. */
    private static final Map<String, BlockKind> LDM_CHILDREN = Map.ofEntries(
            Map.entry("in_layers", BlockKind.RESNET), Map.entry("emb_layers", BlockKind.RESNET),
            Map.entry("out_layers", BlockKind.RESNET), Map.entry("skip_connection", BlockKind.RESNET),
            Map.entry("norm", BlockKind.TRANSFORMER), Map.entry("proj_in", BlockKind.TRANSFORMER),
            Map.entry("transformer_blocks", BlockKind.TRANSFORMER), Map.entry("proj_out", BlockKind.TRANSFORMER),
            Map.entry("op", BlockKind.DOWNSAMPLE), Map.entry("conv", BlockKind.UPSAMPLE));

    private static final Set<String> LDM_BLOCK_LISTS = Set.of("input_blocks", "output_blocks");

    /**
     * Sibling modules in the order kohya's models register them, which is the order of PyTorch's
     * {@code named_modules()} and so of kohya's module creation. Only names that hold Linear or
     * Conv2d layers matter. Note that kohya's SD 1.x UNet registers {@code up_blocks} before
     * {@code mid_block}, and a transformer block has {@code attn1, ff, attn2}.
     */
    private static final List<String> REGISTRATION_ORDER = List.of(
            // UNet, diffusers layout (kohya original_unet.py)
            "conv_in", "time_proj", "time_embedding", "linear_1", "linear_2", "down_blocks", "up_blocks", "mid_block",
            "conv_norm_out", "conv_out",
            "attentions", "resnets", "downsamplers", "upsamplers",
            "conv1", "time_emb_proj", "conv2", "conv_shortcut",
            // UNet, LDM layout (kohya sdxl_original_unet.py)
            "time_embed", "label_emb", "input_blocks", "middle_block", "output_blocks", "out",
            "in_layers", "emb_layers", "out_layers", "skip_connection",
            // transformer blocks, both layouts
            "proj_in", "transformer_blocks", "proj_out", "attn1", "ff", "attn2",
            "to_q", "to_k", "to_v", "to_out", "net", "proj",
            // Hugging Face CLIP
            "text_model", "text_projection", "embeddings", "encoder", "layers", "self_attn", "mlp",
            "k_proj", "v_proj", "q_proj", "out_proj", "fc1", "fc2");

    private static final Map<String, Integer> RANK = new HashMap<>();

    static {
        for (int i = 0; i < REGISTRATION_ORDER.size(); i++) {
            RANK.put(REGISTRATION_ORDER.get(i), i);
        }
    }

    private static final Comparator<String> KOHYA_ORDER = StableDiffusionPaths::compareInKohyaOrder;

    private StableDiffusionPaths() {
    }

    /** The block that encloses the layer at {@code path}, by the layouts above; {@link BlockKind#OTHER} if none. */
    public static BlockKind blockOf(String path) {
        String[] segments = path.split("\\.");
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.equals("self_attn")) {
                return BlockKind.TEXT_ATTENTION;
            }
            if (segment.equals("mlp")) {
                return BlockKind.TEXT_MLP;
            }
            BlockKind diffusers = DIFFUSERS_CONTAINERS.get(segment);
            if (diffusers != null && i + 2 < segments.length) {
                return diffusers;
            }
        }
        // LDM: input_blocks.<n>.<m>.<child>..., output_blocks.<n>.<m>.<child>..., middle_block.<m>.<child>...
        int child = LDM_BLOCK_LISTS.contains(segments[0]) ? 3 : segments[0].equals("middle_block") ? 2 : -1;
        if (child > 0 && segments.length > child) {
            return LDM_CHILDREN.getOrDefault(segments[child], BlockKind.OTHER);
        }
        return BlockKind.OTHER;
    }

    /**
     * Orders module paths the way kohya-ss creates LoRA modules: a depth-first walk of the model,
     * children in registration order, numbered children by number. Sort a model part's
     * descriptors with it when they come from somewhere unordered, such as a checkpoint header.
     */
    public static Comparator<String> kohyaOrder() {
        return KOHYA_ORDER;
    }

    private static int compareInKohyaOrder(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = compareSegments(x[i], y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length); // a module comes before its children
    }

    private static int compareSegments(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        boolean aNumber = isNumber(a);
        boolean bNumber = isNumber(b);
        if (aNumber && bNumber) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        if (aNumber != bNumber) {
            return aNumber ? -1 : 1;
        }
        int rankA = RANK.getOrDefault(a, Integer.MAX_VALUE);
        int rankB = RANK.getOrDefault(b, Integer.MAX_VALUE);
        return rankA != rankB ? Integer.compare(rankA, rankB) : a.compareTo(b);
    }

    private static boolean isNumber(String segment) {
        if (segment.isEmpty() || segment.length() > 18) {
            return false;
        }
        for (int i = 0; i < segment.length(); i++) {
            if (!Character.isDigit(segment.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
