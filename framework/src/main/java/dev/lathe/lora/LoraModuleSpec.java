package dev.lathe.lora;

import java.util.Objects;

/**
 * One module of a LoRA network: the layer it adapts, its kohya name, rank and alpha.
 *
 * @param name   the kohya name, e.g. {@code lora_unet_down_blocks_0_attentions_0_proj_in}
 * @param part   the model part the layer belongs to
 * @param layer  the adapted layer
 * @param rank   the rank r, >= 1
 * @param alpha  the alpha as stored in the file; 0 means r
 */
public record LoraModuleSpec(String name, ModelPart part, ModuleDescriptor layer, int rank, float alpha) {

    public LoraModuleSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(part, "part");
        Objects.requireNonNull(layer, "layer");
        if (rank < 1 || !(alpha >= 0)) {
            throw new IllegalArgumentException(name + ": need rank >= 1 and alpha >= 0, got " + rank + ", " + alpha);
        }
    }

    public LayerKind kind() {
        return layer.kind();
    }

    /** The alpha that takes effect: {@code alpha}, or the rank when alpha is 0. */
    public float effectiveAlpha() {
        return alpha == 0 ? rank : alpha;
    }

    /** {@code alpha / rank}, the factor on the low-rank product. */
    public float scale() {
        return effectiveAlpha() / rank;
    }

    /** {@code [r, in]} for Linear, {@code [r, in, k, k]} for Conv2d (stride and padding of the original layer). */
    public long[] downShape() {
        return layer.kind() == LayerKind.LINEAR ? new long[] {rank, layer.in()}
                : new long[] {rank, layer.in(), layer.kernel(), layer.kernel()};
    }

    /** {@code [out, r]} for Linear, {@code [out, r, 1, 1]} for Conv2d. */
    public long[] upShape() {
        return layer.kind() == LayerKind.LINEAR ? new long[] {layer.out(), rank} : new long[] {layer.out(), rank, 1, 1};
    }
}
