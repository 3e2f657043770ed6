package dev.lathe.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.lathe.runtime.NDArrays;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * One module of a kohya LoRA file: {@code <name>.lora_down.weight}, {@code <name>.lora_up.weight}
 * and {@code <name>.alpha}. The layer kind and the rank follow from the shapes.
 *
 * @param name  the module name, e.g. {@code lora_unet_mid_block_attentions_0_proj_in}
 * @param down  {@code [r, in]} or {@code [r, in, k, k]}
 * @param up    {@code [out, r]} or {@code [out, r, 1, 1]}
 * @param alpha the alpha; scale = alpha / r
 */
public record LoraWeights(String name, Tensor down, Tensor up, float alpha) {

    public LoraWeights {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(down, "down");
        Objects.requireNonNull(up, "up");
        String problem = shapeProblem(down.shape(), up.shape());
        if (problem != null) {
            throw new IllegalArgumentException(name + ": " + problem);
        }
        if (!(alpha >= 0) || Float.isInfinite(alpha)) {
            throw new IllegalArgumentException(name + ": alpha must be a finite number >= 0, got " + alpha);
        }
    }

    /** The weights of {@code module} as float32 heap copies, with its effective alpha (as kohya saves it). */
    public static LoraWeights of(LoraModule module) {
        try (NDArray down = module.down().stopGradient(); NDArray up = module.up().stopGradient()) {
            return new LoraWeights(module.name(), NDArrays.toTensor(down, DType.F32), NDArrays.toTensor(up, DType.F32),
                    module.spec().effectiveAlpha());
        }
    }

    public int rank() {
        return (int) down.shape()[0];
    }

    public int in() {
        return (int) down.shape()[1];
    }

    public int out() {
        return (int) up.shape()[0];
    }

    public LayerKind kind() {
        long[] shape = down.shape();
        if (shape.length == 2) {
            return LayerKind.LINEAR;
        }
        return shape[2] == 1 && shape[3] == 1 ? LayerKind.CONV_1X1 : LayerKind.CONV;
    }

    public float scale() {
        return alpha / rank();
    }

    /**
     * A module for {@code spec} with these weights as float32 arrays in {@code manager}, to
     * continue training or to apply the file.
     *
     * @throws IllegalArgumentException when the shapes are not the ones {@code spec} needs
     */
    public LoraModule toModule(NDManager manager, LoraModuleSpec spec, float multiplier, LoraDropout dropout) {
        if (!Arrays.equals(down.shape(), spec.downShape()) || !Arrays.equals(up.shape(), spec.upShape())) {
            throw new IllegalArgumentException(name + " has down " + Arrays.toString(down.shape()) + " and up "
                    + Arrays.toString(up.shape()) + ", but the layer needs " + Arrays.toString(spec.downShape())
                    + " and " + Arrays.toString(spec.upShape()));
        }
        LoraModuleSpec withAlpha = new LoraModuleSpec(spec.name(), spec.part(), spec.layer(), spec.rank(), alpha);
        return LoraModule.of(withAlpha, NDArrays.fromTensor(manager, down, DataType.FLOAT32),
                NDArrays.fromTensor(manager, up, DataType.FLOAT32), multiplier, dropout);
    }

    /** Why {@code down} and {@code up} cannot be one LoRA module's pair, or null when they can. */
    static String shapeProblem(long[] down, long[] up) {
        boolean linear = down.length == 2 && up.length == 2;
        boolean conv = down.length == 4 && up.length == 4 && up[2] == 1 && up[3] == 1;
        if (!linear && !conv) {
            return "lora_down " + Arrays.toString(down) + " and lora_up " + Arrays.toString(up) + " are neither a "
                    + "Linear pair ([r, in], [out, r]) nor a Conv2d pair ([r, in, k, k], [out, r, 1, 1])";
        }
        if (down[0] != up[1] || down[0] < 1) {
            return "lora_down " + Arrays.toString(down) + " has rank " + down[0] + " but lora_up " + Arrays.toString(up)
                    + " has rank " + up[1];
        }
        return null;
    }
}
