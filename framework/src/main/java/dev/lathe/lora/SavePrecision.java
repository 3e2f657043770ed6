package dev.lathe.lora;

import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.Tensor;

/**
 * The precision a LoRA file is saved in (kohya {@code --save_precision}); every tensor, the
 * alphas included, is stored in it. Conversions round to nearest, ties to even, as PyTorch does.
 */
public enum SavePrecision {
    /** Half precision, kohya's default for LoRAs. */
    FP16(DType.F16),
    BF16(DType.BF16),
    FP32(DType.F32);

    private final DType dtype;

    SavePrecision(DType dtype) {
        this.dtype = dtype;
    }

    public DType dtype() {
        return dtype;
    }

    /** {@code tensor} in this precision (itself when it already is). */
    public Tensor convert(Tensor tensor) {
        if (tensor.dtype() == dtype) {
            return tensor;
        }
        return Tensor.ofFloats(dtype, tensor.shape(), tensor.toFloatArray());
    }
}
