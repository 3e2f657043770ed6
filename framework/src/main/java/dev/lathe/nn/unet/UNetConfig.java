package dev.lathe.nn.unet;

import java.util.List;
import java.util.Objects;

/**
 * The architecture of an LDM/SGM {@code UNetModel} (SD 1.x, SD 2.x, SDXL), with the LDM yaml's
 * parameter meanings. Everything the blocks need; nothing is hard-coded elsewhere.
 *
 * @param inChannels             latent channels in (4; 9 for inpainting models)
 * @param outChannels            channels out (4)
 * @param modelChannels          channels of level 0 (SD: 320)
 * @param channelMult            per level, channels = modelChannels × mult (SD 1.x: [1, 2, 4, 4])
 * @param numResBlocks           ResBlocks per level on the way down (the way up has one more)
 * @param transformerDepth       per level, the SpatialTransformer depth after each ResBlock; 0 = none
 *                               (SD 1.x: [1, 1, 1, 0]; SDXL: [0, 2, 10])
 * @param middleTransformerDepth the middle block's transformer depth; 0 = ResBlock, ResBlock only
 * @param numHeads               fixed number of heads (SD 1.x: 8), or -1 when {@code headChannels} is set
 * @param headChannels           fixed head width (SD 2.x, SDXL: 64), or -1 when {@code numHeads} is set
 * @param contextDim             cross-attention context width (SD 1.x: 768, SD 2.x: 1024, SDXL: 2048)
 * @param linearProjection       {@code proj_in}/{@code proj_out} are Linear (SD 2.x, SDXL) rather
 *                               than 1x1 convs (SD 1.x)
 * @param admInChannels          width of the extra vector input {@code y} (SDXL: 2816), or 0 for none
 */
public record UNetConfig(int inChannels, int outChannels, int modelChannels, List<Integer> channelMult,
                         int numResBlocks, List<Integer> transformerDepth, int middleTransformerDepth,
                         int numHeads, int headChannels, int contextDim, boolean linearProjection,
                         int admInChannels) {

    public UNetConfig {
        channelMult = List.copyOf(channelMult);
        transformerDepth = List.copyOf(transformerDepth);
        if (channelMult.isEmpty() || channelMult.size() != transformerDepth.size()) {
            throw new IllegalArgumentException("channelMult " + channelMult + " and transformerDepth "
                    + transformerDepth + " must name the same, non-zero number of levels");
        }
        if ((numHeads > 0) == (headChannels > 0)) {
            throw new IllegalArgumentException("exactly one of numHeads (" + numHeads + ") and headChannels ("
                    + headChannels + ") must be positive");
        }
        if (modelChannels <= 0 || numResBlocks <= 0 || inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException("channel and block counts must be positive");
        }
    }

    /** Number of resolution levels. */
    public int levels() {
        return channelMult.size();
    }

    /** Channels at {@code level}. */
    public int channels(int level) {
        return modelChannels * channelMult.get(level);
    }

    /** Width of the timestep embedding after {@code time_embed}: 4 × modelChannels. */
    public int timeEmbedDim() {
        return 4 * modelChannels;
    }

    /** Heads of a transformer with {@code channels} channels. */
    public int heads(int channels) {
        if (numHeads > 0) {
            return numHeads;
        }
        if (channels % headChannels != 0) {
            throw new IllegalArgumentException(channels + " channels do not split into heads of " + headChannels);
        }
        return channels / headChannels;
    }

    /** The SD 1.5 UNet (859,520,964 parameters). */
    public static UNetConfig sd15() {
        return new UNetConfig(4, 4, 320, List.of(1, 2, 4, 4), 2, List.of(1, 1, 1, 0), 1, 8, -1, 768, false, 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UNetConfig c && inChannels == c.inChannels && outChannels == c.outChannels
                && modelChannels == c.modelChannels && channelMult.equals(c.channelMult)
                && numResBlocks == c.numResBlocks && transformerDepth.equals(c.transformerDepth)
                && middleTransformerDepth == c.middleTransformerDepth && numHeads == c.numHeads
                && headChannels == c.headChannels && contextDim == c.contextDim
                && linearProjection == c.linearProjection && admInChannels == c.admInChannels;
    }

    @Override
    public int hashCode() {
        return Objects.hash(inChannels, outChannels, modelChannels, channelMult, numResBlocks, transformerDepth,
                middleTransformerDepth, numHeads, headChannels, contextDim, linearProjection, admInChannels);
    }
}
