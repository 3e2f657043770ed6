package dev.lathe.lora;

import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.HalfFloats;
import dev.lathe.safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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
        float[] values = tensor.toFloatArray();
        return switch (this) {
            case FP32 -> Tensor.ofFloats(tensor.shape(), values);
            case FP16, BF16 -> {
                ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    bytes.putShort(this == FP16 ? HalfFloats.f32ToF16(v) : HalfFloats.f32ToBf16(v));
                }
                yield Tensor.of(dtype, tensor.shape(), bytes.flip());
            }
        };
    }
}
