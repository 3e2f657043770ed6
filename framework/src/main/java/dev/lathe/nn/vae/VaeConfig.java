package dev.lathe.nn.vae;

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

    /** The SD VAE (kl-f8). */
    public static VaeConfig sd() {
        return new VaeConfig(3, 3, 128, List.of(1, 2, 4, 4), 2, 4, 4);
    }
}
