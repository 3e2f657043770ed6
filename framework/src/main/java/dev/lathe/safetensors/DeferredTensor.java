package dev.lathe.safetensors;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A tensor to write whose dtype and shape are known up front but whose bytes are made only when
 * {@link SafeTensorsWriter#writeDeferred} reaches it. A file can so be written from computed
 * tensors (a checkpoint with LoRAs merged into some of its weights) holding one computed tensor
 * in the heap at a time, while unchanged tensors go straight from the memory-mapped source.
 *
 * @param dtype   the tensor's dtype, as the header will list it
 * @param shape   its shape, as the header will list it
 * @param content makes the tensor; called once, when the writer needs its bytes. What it returns
 *                must have {@code dtype} and {@code shape}.
 */
public record DeferredTensor(DType dtype, long[] shape, Supplier<Tensor> content) {

    public DeferredTensor {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(content, "content");
        shape = shape.clone();
        Tensor.elementCount(shape); // rejects negative dimensions early
    }

    /** A tensor that exists already (often a view of a mapped file): nothing is computed. */
    public static DeferredTensor of(Tensor tensor) {
        return new DeferredTensor(tensor.dtype(), tensor.shape(), () -> tensor);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The bytes the tensor will take in the file. */
    public long byteSize() {
        return Math.multiplyExact(Tensor.elementCount(shape), dtype.size());
    }

    /**
     * Makes the tensor.
     *
     * @throws IllegalStateException when {@link #content()} returns a tensor of another dtype or shape
     */
    Tensor materialize(String name) {
        Tensor tensor = Objects.requireNonNull(content.get(), () -> "tensor \"" + name + "\" was computed as null");
        if (tensor.dtype() != dtype || !Arrays.equals(tensor.shape(), shape)) {
            throw new IllegalStateException("tensor \"" + name + "\" was declared " + dtype + Arrays.toString(shape)
                    + " but computed as " + tensor);
        }
        return tensor;
    }
}
