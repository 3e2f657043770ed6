package dev.lathe.nn.vae;

import dev.lathe.nn.ShapeReader;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture of LDM's {@code AutoencoderKL} (the SD 1.x/2.x/SDXL VAE), with the LDM
 * {@code ddconfig} meanings.
 *
 * @param inChannels   image channels (3)
 * @param outChannels  decoded channels (3)
 * @param ch           channels of level 0 (SD: 128)
 * @param chMult       per level, channels = ch × mult (SD: [1, 2, 4, 4]); spatial factor 2^(levels-1)
 * @param numResBlocks ResnetBlocks per encoder level (the decoder has one more)
 * @param zChannels    latent channels (4); the encoder outputs 2·zChannels (mean and log-variance)
 * @param embedDim     channels after {@code quant_conv} / before {@code post_quant_conv} (4)
 */
public record VaeConfig(int inChannels, int outChannels, int ch, List<Integer> chMult, int numResBlocks,
                        int zChannels, int embedDim) {

    public VaeConfig {
        chMult = List.copyOf(chMult);
        if (chMult.isEmpty() || ch <= 0 || numResBlocks <= 0 || zChannels <= 0 || embedDim <= 0) {
            throw new IllegalArgumentException("invalid VAE config");
        }
    }

    public int levels() {
        return chMult.size();
    }

    public int channels(int level) {
        return ch * chMult.get(level);
    }

    /** How much smaller than the image the latent is: 2^(levels-1) (SD: 8). */
    public int downscale() {
        return 1 << (levels() - 1);
    }

    /**
     * Reads the VAE below {@code prefix} (e.g. {@code first_stage_model.}) off its LDM tensor
     * names and shapes: {@code encoder.conv_in} gives the channels, the numbered
     * {@code encoder.down.i.block.j} the levels and blocks, each level's first block its
     * multiplier, {@code encoder.conv_out} and {@code quant_conv} the latent widths. Returns null
     * with the problems recorded in {@code r}.
     */
    public static VaeConfig read(ShapeReader r, String prefix) {
        long[] convIn = r.shape(prefix + "encoder.conv_in.weight", 4);
        long[] convOut = r.shape(prefix + "encoder.conv_out.weight", 4);
        long[] quant = r.shape(prefix + "quant_conv.weight", 4);
        long[] decoderOut = r.shape(prefix + "decoder.conv_out.weight", 4);
        if (convIn == null || convOut == null || quant == null || decoderOut == null) {
            return null;
        }
        int ch = (int) convIn[0];
        int levels = r.count(prefix + "encoder.down.");
        int blocks = r.count(prefix + "encoder.down.0.block.");
        if (levels < 1 || blocks < 1) {
            r.problem(prefix + "encoder.down.0.block.0.*");
            return null;
        }
        List<Integer> mult = new ArrayList<>();
        for (int i = 0; i < levels; i++) {
            long[] conv = r.shape(prefix + "encoder.down." + i + ".block.0.conv1.weight", 4);
            if (conv == null) {
                return null;
            }
            mult.add((int) (conv[0] / ch));
        }
        return new VaeConfig((int) convIn[1], (int) decoderOut[0], ch, mult, blocks, (int) convOut[0] / 2,
                (int) quant[0] / 2);
    }

    /** The SD VAE (kl-f8). */
    public static VaeConfig sd() {
        return new VaeConfig(3, 3, 128, List.of(1, 2, 4, 4), 2, 4, 4);
    }
}
