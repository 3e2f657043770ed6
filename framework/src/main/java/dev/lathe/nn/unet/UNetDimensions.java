package dev.lathe.nn.unet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.nn.MetadataJson;
import dev.lathe.nn.ShapeReader;
import dev.lathe.safetensors.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a UNet's tensors say about its {@link UNetConfig}: everything except the attention heads,
 * which no shape shows ({@code to_q} is {@code [C, C]} whatever the head count). Read from LDM
 * names ({@link #read}); the heads come from the checkpoint's metadata or a family's convention
 * ({@link #heads}).
 *
 * @param admInChannels the width of {@code label_emb.0.0} (SDXL's vector input), 0 when absent
 */
public record UNetDimensions(int inChannels, int outChannels, int modelChannels, List<Integer> channelMult,
                             int numResBlocks, List<Integer> transformerDepth, int middleTransformerDepth,
                             int contextDim, boolean linearProjection, int admInChannels) {

    /**
     * How the heads are set: a fixed count or a fixed width (exactly one positive), and where
     * that came from ({@code metadata}, {@code config.json}, or the family's convention).
     */
    public record Heads(int numHeads, int headChannels, String source) {

        public static Heads count(int numHeads, String source) {
            return new Heads(numHeads, -1, source);
        }

        public static Heads width(int headChannels, String source) {
            return new Heads(-1, headChannels, source);
        }

        /** For reports: {@code 8 heads (metadata)}, {@code 64 channels per head (SDXL convention)}. */
        public String describe() {
            return (numHeads > 0 ? numHeads + " heads" : headChannels + " channels per head") + " (" + source + ")";
        }
    }

    public UNetDimensions {
        channelMult = List.copyOf(channelMult);
        transformerDepth = List.copyOf(transformerDepth);
    }

    /**
     * Reads the dimensions of the UNet below {@code prefix} (e.g. {@code model.diffusion_model.}):
     * {@code input_blocks.0.0} gives the model channels, the downsamplers ({@code .op}) the
     * levels and ResBlocks per level, each level's first ResBlock its channel multiplier, the
     * numbered {@code transformer_blocks} the depths (every block of a level, down and up, must
     * agree), {@code attn2.to_k} the context width, {@code proj_in}'s rank linear or 1x1
     * projections, {@code label_emb.0.0} SDXL's vector width. Returns null with the problems
     * recorded in {@code r}.
     */
    public static UNetDimensions read(ShapeReader r, String prefix) {
        long[] convIn = r.shape(prefix + "input_blocks.0.0.weight", 4);
        long[] out = r.shape(prefix + "out.2.weight", 4);
        if (convIn == null || out == null) {
            return null;
        }
        int mc = (int) convIn[0];
        int blocks = r.count(prefix + "input_blocks.");
        List<Integer> downsamples = new ArrayList<>();
        for (int k = 1; k < blocks; k++) {
            if (r.has(prefix + "input_blocks." + k + ".0.op.weight")) {
                downsamples.add(k);
            }
        }
        int resBlocks = downsamples.isEmpty() ? blocks - 1 : downsamples.get(0) - 1;
        int levels = downsamples.size() + 1;
        if (resBlocks < 1 || blocks != 1 + levels * resBlocks + (levels - 1)) {
            r.problem(prefix + "input_blocks.* (" + blocks + " blocks, downsamplers at " + downsamples
                    + ": not a UNet layout Lathe knows)");
            return null;
        }
        List<Integer> mult = new ArrayList<>();
        List<Integer> depth = new ArrayList<>();
        long context = -1;
        Boolean linear = null;
        for (int level = 0; level < levels; level++) {
            String block = prefix + "input_blocks." + (1 + level * (resBlocks + 1)) + ".";
            long[] conv = r.shape(block + "0.in_layers.2.weight", 4);
            if (conv == null) {
                return null;
            }
            if (conv[0] % mc != 0) {
                r.problem(r.describe(block + "0.in_layers.2.weight") + " (channels " + conv[0] + " not a multiple of " + mc + ")");
                return null;
            }
            mult.add((int) (conv[0] / mc));
            int d = r.count(block + "1.transformer_blocks.");
            depth.add(d);
            if (d > 0 && context < 0) {
                long[] toK = r.shape(block + "1.transformer_blocks.0.attn2.to_k.weight", 2);
                TensorInfo projIn = r.info(block + "1.proj_in.weight");
                if (toK == null || projIn == null) {
                    if (projIn == null) {
                        r.problem(r.describe(block + "1.proj_in.weight"));
                    }
                    return null;
                }
                context = toK[1];
                linear = projIn.rank() == 2;
            }
        }
        if (!sameDepthPerLevel(r, prefix, levels, resBlocks, depth)) {
            return null;
        }
        int middle = r.count(prefix + "middle_block.1.transformer_blocks.");
        if (context < 0) {
            TensorInfo toK = r.info(prefix + "middle_block.1.transformer_blocks.0.attn2.to_k.weight");
            context = toK == null || toK.rank() != 2 ? 768 : toK.shape()[1];
            TensorInfo projIn = r.info(prefix + "middle_block.1.proj_in.weight");
            linear = projIn != null && projIn.rank() == 2;
        }
        TensorInfo label = r.info(prefix + "label_emb.0.0.weight");
        int adm = label != null && label.rank() == 2 ? (int) label.shape()[1] : 0;
        return new UNetDimensions((int) convIn[1], (int) out[0], mc, mult, resBlocks, depth, middle, (int) context,
                Boolean.TRUE.equals(linear), adm);
    }

    /**
     * The blocks support one transformer depth per level: every ResBlock of a level, on the way
     * down and up, is followed by a transformer of that depth. Checkpoints pruned per block
     * (different depths within a level) are refused rather than loaded with blocks left out.
     */
    private static boolean sameDepthPerLevel(ShapeReader r, String prefix, int levels, int resBlocks, List<Integer> depth) {
        List<String> differing = new ArrayList<>();
        for (int level = 0; level < levels; level++) {
            for (int j = 1; j < resBlocks; j++) {
                String block = "input_blocks." + (1 + level * (resBlocks + 1) + j);
                int d = r.count(prefix + block + ".1.transformer_blocks.");
                if (d != depth.get(level)) {
                    differing.add(block + " (" + d + ")");
                }
            }
            int up = levels - 1 - level;
            for (int j = 0; j <= resBlocks; j++) {
                String block = "output_blocks." + (up * (resBlocks + 1) + j);
                int d = r.count(prefix + block + ".1.transformer_blocks.");
                if (d != depth.get(level)) {
                    differing.add(block + " (" + d + ")");
                }
            }
        }
        if (!differing.isEmpty()) {
            r.problem("transformer depths that differ within a level (per level " + depth + " from the first block of "
                    + "each level; " + String.join(", ", differing) + "): Lathe's UNet supports one depth per level");
            return false;
        }
        return true;
    }

    /**
     * The heads as the checkpoint's metadata gives them, else {@code convention}: an LDM
     * {@code unet_config} ({@code num_head_channels} or {@code num_heads}) in a single file's
     * metadata; a diffusers {@code unet/config.json}, whose {@code attention_head_dim} holds the
     * head count (per level, or one for all: a naming quirk of diffusers' SD configs) unless
     * {@code num_attention_heads} is set. Per-level counts must amount to one head width.
     */
    public Heads heads(Map<String, String> metadata, Heads convention) {
        JsonNode ldm = MetadataJson.object(metadata, "unet_config");
        int width = MetadataJson.positiveInt(ldm, "num_head_channels");
        if (width > 0) {
            return Heads.width(width, "metadata");
        }
        int count = MetadataJson.positiveInt(ldm, "num_heads");
        if (count > 0) {
            return Heads.count(count, "metadata");
        }
        JsonNode diffusers = MetadataJson.object(metadata, "unet/config.json");
        if (diffusers != null) {
            JsonNode heads = diffusers.hasNonNull("num_attention_heads") ? diffusers.get("num_attention_heads")
                    : diffusers.get("attention_head_dim");
            if (heads != null && heads.isInt() && heads.asInt() > 0) {
                return Heads.count(heads.asInt(), "config.json");
            }
            if (heads != null && heads.isArray() && heads.size() == channelMult.size()) {
                int common = -1;
                boolean same = true;
                for (int level = 0; level < channelMult.size(); level++) {
                    int h = heads.get(level).asInt(1);
                    int w = modelChannels * channelMult.get(level) / Math.max(h, 1);
                    same &= common < 0 || w == common;
                    common = w;
                }
                if (same && common > 0) {
                    return Heads.width(common, "config.json");
                }
            }
        }
        return convention;
    }

    /**
     * The full configuration with {@code heads}.
     *
     * @throws IllegalArgumentException when the heads do not divide the channels
     */
    public UNetConfig config(Heads heads) {
        UNetConfig c = new UNetConfig(inChannels, outChannels, modelChannels, channelMult, numResBlocks, transformerDepth,
                middleTransformerDepth, heads.numHeads(), heads.headChannels(), contextDim, linearProjection,
                admInChannels);
        for (int level = 0; level < c.levels(); level++) {
            if (transformerDepth.get(level) > 0 || level == c.levels() - 1 && middleTransformerDepth > 0) {
                c.heads(c.channels(level)); // throws when the width does not split
            }
        }
        return c;
    }
}
