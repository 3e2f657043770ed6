package dev.lathe.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The data section of a safetensors file, memory-mapped lazily in windows.
 *
 * <p>Java 17's {@link FileChannel#map} maps at most 2 GiB at a time, and a 7 GB checkpoint
 * must still be readable, so the data section is cut into windows of at most
 * {@code windowBytes}, always at tensor boundaries: every tensor lies inside one window and is a
 * plain slice of it. A tensor larger than a window gets a window of its own. A window is mapped
 * the first time one of its tensors is asked for, so opening a file costs nothing but its header,
 * and pages are read by the OS only when touched.
 */
final class MappedWindows {

    private final FileChannel channel;
    private final long dataOffset;
    private final long[] starts;
    private final long[] ends;
    private final MappedByteBuffer[] mapped;

    MappedWindows(FileChannel channel, long dataOffset, Collection<TensorInfo> tensors, long windowBytes) {
        this.channel = channel;
        this.dataOffset = dataOffset;
        List<long[]> windows = plan(tensors, windowBytes);
        this.starts = windows.stream().mapToLong(w -> w[0]).toArray();
        this.ends = windows.stream().mapToLong(w -> w[1]).toArray();
        this.mapped = new MappedByteBuffer[windows.size()];
    }

    /**
     * Groups tensors, in offset order, into ranges {@code [start, end)} of the data section: a
     * range grows while it stays within {@code windowBytes} and is closed before the tensor that
     * would make it larger.
     */
    static List<long[]> plan(Collection<TensorInfo> tensors, long windowBytes) {
        List<TensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        List<long[]> windows = new ArrayList<>();
        long start = 0;
        long end = 0;
        for (TensorInfo t : byOffset) {
            if (t.end() - start > windowBytes && end > start) {
                windows.add(new long[] {start, end});
                start = end;
            }
            end = Math.max(end, t.end());
        }
        if (end > start) {
            windows.add(new long[] {start, end});
        }
        return windows;
    }

    int windowCount() {
        return starts.length;
    }

    /**
     * The bytes of {@code tensor} as a read-only slice of its window's mapping (direct, position
     * 0). The tensor must not be empty and must be at most {@link Integer#MAX_VALUE} bytes.
     */
    ByteBuffer bytes(TensorInfo tensor) throws IOException {
        int index = Arrays.binarySearch(starts, tensor.begin());
        if (index < 0) {
            index = -index - 2; // the last window starting before the tensor, which then holds all of it
        }
        ByteBuffer window = window(index);
        return window.slice(Math.toIntExact(tensor.begin() - starts[index]), Math.toIntExact(tensor.byteSize()));
    }

    private synchronized ByteBuffer window(int index) throws IOException {
        if (mapped[index] == null) {
            mapped[index] = channel.map(FileChannel.MapMode.READ_ONLY, dataOffset + starts[index],
                    ends[index] - starts[index]);
        }
        return mapped[index];
    }
}
