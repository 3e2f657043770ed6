package dev.lathe.nn;

import java.util.Objects;

/**
 * Where a tensor of a {@link WeightSource} is stored: a byte range of one tensor of the
 * checkpoint's files. Mostly the whole tensor under another name; for OpenCLIP's fused
 * {@code in_proj_weight}, the rows of q, k or v. Views never change a tensor's dtype, so the
 * range holds the tensor's elements in order, in the stored tensor's dtype. Writers of derived
 * checkpoints (a LoRA merged into the weights) use it to put a changed weight back where it came from.
 *
 * @param tensor     the stored tensor's name, as the checkpoint's files name it (for a diffusers
 *                   folder prefixed with its component folder, as {@code CheckpointFiles} does)
 * @param byteOffset where the range starts within that tensor's bytes
 * @param byteLength how many bytes it has
 */
public record StoredRange(String tensor, long byteOffset, long byteLength) {

    public StoredRange {
        Objects.requireNonNull(tensor, "tensor");
        if (byteOffset < 0 || byteLength < 0) {
            throw new IllegalArgumentException("negative range " + byteOffset + "+" + byteLength + " of " + tensor);
        }
    }

    /** Whether the range is all of a stored tensor of {@code storedBytes} bytes. */
    public boolean isWhole(long storedBytes) {
        return byteOffset == 0 && byteLength == storedBytes;
    }
}
