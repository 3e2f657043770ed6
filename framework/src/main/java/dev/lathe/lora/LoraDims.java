package dev.lathe.lora;

/**
 * Ranks and alphas of a kohya LoRA network: {@code network_dim}/{@code network_alpha} for
 * Linear layers and 1x1 convolutions, and, for LoCon, {@code conv_dim}/{@code conv_alpha} for
 * the 3x3 convolutions of ResNet blocks and samplers. Each module's scale is {@code alpha / rank};
 * an alpha of 0 means "same as the rank" (scale 1), as in kohya.
 *
 * @param rank      network rank, >= 1
 * @param alpha     network alpha, >= 0
 * @param convRank  conv rank, 0 = plain LoRA (no ResNet or sampler layers)
 * @param convAlpha conv alpha, >= 0
 */
public record LoraDims(int rank, float alpha, int convRank, float convAlpha) {

    public LoraDims {
        if (rank < 1 || convRank < 0 || !(alpha >= 0) || !(convAlpha >= 0)) {
            throw new IllegalArgumentException("need rank >= 1, conv rank >= 0 and alphas >= 0, got rank " + rank
                    + " alpha " + alpha + ", conv rank " + convRank + " alpha " + convAlpha);
        }
    }

    /** A plain LoRA (kohya's {@code networks.lora} without {@code conv_dim}). */
    public static LoraDims of(int rank, float alpha) {
        return new LoraDims(rank, alpha, 0, 0);
    }

    /** The same with LoCon layers of rank {@code convRank} and alpha {@code convAlpha}. */
    public LoraDims withConv(int convRank, float convAlpha) {
        return new LoraDims(rank, alpha, convRank, convAlpha);
    }

    public boolean locon() {
        return convRank > 0;
    }
}
