package dev.lathe.lora;

/**
 * The three dropouts of kohya's {@code LoRAModule}, active only in training, each 0 = off:
 *
 * @param network {@code network_dropout} (kohya {@code neuron_dropout}): ordinary dropout on the
 *                down projection's output, survivors scaled by {@code 1/(1-p)}
 * @param rank    {@code rank_dropout}: drops whole ranks, one draw per (sample, rank); the module's
 *                scale is multiplied by {@code 1/(1-p)} instead, "as if the rank were lower"
 * @param module  {@code module_dropout}: with probability p a module contributes nothing for the
 *                whole call, one draw per forward pass of the module
 */
public record LoraDropout(double network, double rank, double module) {

    public LoraDropout {
        check("network", network);
        check("rank", rank);
        check("module", module);
    }

    public static LoraDropout none() {
        return new LoraDropout(0, 0, 0);
    }

    private static void check(String name, double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException(name + " dropout must be in [0, 1), got " + p);
        }
    }
}
