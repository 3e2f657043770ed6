package dev.lathe.safetensors;

import java.util.Map;

/**
 * A validated safetensors header: the tensor entries in header order, the {@code __metadata__}
 * map in its own order, and where the data section starts.
 *
 * @param tensors unmodifiable, in the order the header lists them
 * @param metadata unmodifiable, in the order the header lists them; empty when absent
 * @param dataOffset file offset of the first data byte: 8 + the header length
 * @param fileSize the file's size in bytes when the header was read
 */
record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata, long dataOffset, long fileSize) {

    long dataSize() {
        return fileSize - dataOffset;
    }
}
