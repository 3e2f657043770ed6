package dev.lathe.lora;

import java.util.Objects;

/**
 * One Linear or Conv2d layer of a model, as much as a LoRA needs to know: where it is, what
 * encloses it, and its shape. A model family builds these from its checkpoint's tensor shapes
 * (a Linear weight is {@code [out, in]}, a Conv2d weight {@code [out, in, k, k]}; stride and
 * padding come from the architecture), with the module paths of the layout kohya-ss names LoRAs
 * after (see {@link StableDiffusionPaths}).
 *
 * @param path    dotted module path inside its model part, e.g. {@code down_blocks.0.attentions.0.proj_in}
 *                or {@code text_model.encoder.layers.0.self_attn.q_proj}
 * @param block   the kind of block enclosing the layer
 * @param kind    the layer kind
 * @param in      input features (Linear) or channels (Conv2d)
 * @param out     output features or channels
 * @param kernel  the (square) kernel size: 1 for Linear
 * @param stride  the convolution stride: 1 for Linear
 * @param padding the convolution padding: 0 for Linear
 */
public record ModuleDescriptor(String path, BlockKind block, LayerKind kind, int in, int out, int kernel, int stride,
        int padding) {

    public ModuleDescriptor {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(kind, "kind");
        if (path.isEmpty() || in < 1 || out < 1 || kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("not a layer: " + path + " " + kind + " " + in + "->" + out + " kernel "
                    + kernel + " stride " + stride + " padding " + padding);
        }
        boolean consistent = switch (kind) {
            case LINEAR -> kernel == 1 && stride == 1 && padding == 0;
            case CONV_1X1 -> kernel == 1;
            case CONV -> kernel > 1;
        };
        if (!consistent) {
            throw new IllegalArgumentException(path + ": a " + kind.label() + " layer cannot have kernel " + kernel
                    + ", stride " + stride + ", padding " + padding);
        }
    }

    /** A Linear layer; its block is read from the path ({@link StableDiffusionPaths#blockOf}). */
    public static ModuleDescriptor linear(String path, int in, int out) {
        return new ModuleDescriptor(path, StableDiffusionPaths.blockOf(path), LayerKind.LINEAR, in, out, 1, 1, 0);
    }

    /** A Conv2d layer; its block is read from the path ({@link StableDiffusionPaths#blockOf}). */
    public static ModuleDescriptor conv(String path, int in, int out, int kernel, int stride, int padding) {
        LayerKind kind = kernel == 1 ? LayerKind.CONV_1X1 : LayerKind.CONV;
        return new ModuleDescriptor(path, StableDiffusionPaths.blockOf(path), kind, in, out, kernel, stride, padding);
    }

    /** The shape of the adapted weight: {@code [out, in]} or {@code [out, in, k, k]}. */
    public long[] weightShape() {
        return kind == LayerKind.LINEAR ? new long[] {out, in} : new long[] {out, in, kernel, kernel};
    }
}
