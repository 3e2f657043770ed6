package dev.lathe.safetensors;

import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A {@code .safetensors} file open for reading: its validated header, and its tensors as
 * read-only views of the memory-mapped file.
 *
 * <p>The format: 8 bytes little-endian unsigned header length N, N bytes of UTF-8 JSON mapping
 * each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative
 * to the data section, end exclusive) plus an optional {@code "__metadata__"} map of strings,
 * then the data section: row-major, little-endian tensor bytes. {@link #open} validates all of it
 * as strictly as the reference implementation (huggingface/safetensors) does: a header of at most
 * 100 MB of UTF-8 JSON without duplicate keys, known dtypes, non-negative shapes, byte ranges that
 * match dtype and shape, and tensors that cover the data section exactly, without overlaps, holes
 * or trailing bytes. It also refuses pickle checkpoints ({@link Checkpoints}). Every problem is
 * an {@link InvalidInputException} naming the file, what is wrong and what to do.
 *
 * <p>Nothing is read into the Java heap but the header: {@link #tensor} returns a {@link Tensor}
 * whose bytes are a slice of a read-only mapping. Java 17 maps at most 2 GiB at a time, so the
 * data section is mapped lazily in windows of up to 1 GiB cut at tensor boundaries (a larger
 * tensor gets a window of its own; single tensors over 2 GiB cannot be read). Opening a file thus
 * costs only its header, whatever its size. Views stay readable after {@link #close()}, which
 * closes the file handle; the JDK unmaps the memory once no view refers to it any more. As with
 * any mapping, truncating or rewriting the file in place while views are in use makes reads fail
 * (Lathe replaces files by atomic rename, which does not affect readers of the old file). One
 * instance may be read by several threads.
 */
public final class SafeTensorsFile implements AutoCloseable {

    /** Data-section window size: well below the 2 GiB a single mapping can have in Java 17. */
    static final long DEFAULT_WINDOW_BYTES = 1L << 30;

    private final Path path;
    private final FileChannel channel;
    private final Header header;
    private final MappedWindows windows;
    private volatile boolean closed;

    private SafeTensorsFile(Path path, FileChannel channel, Header header, long windowBytes) {
        this.path = path;
        this.channel = channel;
        this.header = header;
        this.windows = new MappedWindows(channel, header.dataOffset(), header.tensors().values(), windowBytes);
    }

    /**
     * Opens and validates {@code path}; close the result (try-with-resources).
     *
     * @throws InvalidInputException when the file is missing, a pickle checkpoint, or not a valid
     *     safetensors file
     * @throws IOException when reading fails
     */
    public static SafeTensorsFile open(Path path) throws IOException {
        return open(path, DEFAULT_WINDOW_BYTES);
    }

    static SafeTensorsFile open(Path path, long windowBytes) throws IOException {
        FileChannel channel = openChannel(path);
        try {
            return new SafeTensorsFile(path, channel, HeaderReader.read(path, channel), windowBytes);
        } catch (Throwable failure) {
            try {
                channel.close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
    }

    /**
     * The tensor entries of {@code path}, validated as by {@link #open}, without mapping anything:
     * for cheap inspection (which model family, which LoRA keys).
     */
    public static Map<String, TensorInfo> readHeader(Path path) throws IOException {
        try (SafeTensorsFile file = open(path)) {
            return file.tensors();
        }
    }

    /** The {@code __metadata__} of {@code path}, validated as by {@link #open}. */
    public static Map<String, String> readMetadata(Path path) throws IOException {
        try (SafeTensorsFile file = open(path)) {
            return file.metadata();
        }
    }

    /** Opens {@code path} for reading, turning a wrong path into a message for the user. */
    static FileChannel openChannel(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new InvalidInputException(path + " is a folder, but a .safetensors file was expected here: "
                    + "give the path of the file itself.");
        }
        try {
            return FileChannel.open(path);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(path + " does not exist: check the path"
                    + (path.isAbsolute() ? "." : " (relative paths start at " + Path.of("").toAbsolutePath() + ")."), e);
        } catch (AccessDeniedException e) {
            throw new InvalidInputException(path + " cannot be read: permission denied. Make it readable for the "
                    + "user running Lathe, or copy it somewhere readable.", e);
        }
    }

    public Path path() {
        return path;
    }

    /** File offset of the first byte of the data section: 8 plus the header length. */
    public long dataOffset() {
        return header.dataOffset();
    }

    public long fileSize() {
        return header.fileSize();
    }

    /** The {@code __metadata__} map in header order; unmodifiable, empty when the file has none. */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /**
     * Every tensor entry, in the order the header lists them (for files written by Lathe or the
     * reference implementation that is also data order, so iterating reads the file front to
     * back); unmodifiable.
     */
    public Map<String, TensorInfo> tensors() {
        return header.tensors();
    }

    /** Total number of elements over all tensors. */
    public long parameterCount() {
        return header.tensors().values().stream().mapToLong(TensorInfo::elementCount).sum();
    }

    /**
     * The header entry for {@code name}.
     *
     * @throws InvalidInputException when there is none, naming the closest names the file has
     */
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors().get(name);
        if (info == null) {
            throw new InvalidInputException(path + " has no tensor named \"" + name + "\" (it has "
                    + header.tensors().size() + " tensors; the closest names are "
                    + NameSuggestions.closest(name, header.tensors().keySet(), 5)
                    + "). Check that this file is the kind of model the configuration expects.");
        }
        return info;
    }

    /**
     * The tensor {@code name} as a view of the mapped file (nothing copied).
     *
     * @throws InvalidInputException when there is no such tensor, or it is over 2 GiB
     * @throws IllegalStateException after {@link #close()}
     * @throws UncheckedIOException when mapping the file fails
     */
    public Tensor tensor(String name) {
        TensorInfo info = info(name);
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
        if (info.byteSize() == 0) {
            return Tensor.of(info.dtype(), info.shape(), ByteBuffer.allocate(0));
        }
        if (info.byteSize() > Integer.MAX_VALUE) {
            throw new InvalidInputException("Tensor \"" + name + "\" in " + path + " has " + info.byteSize()
                    + " bytes; Lathe reads tensors of at most 2 GiB (2147483647 bytes). Split it, or use a model "
                    + "stored in half precision.");
        }
        try {
            return Tensor.of(info.dtype(), info.shape(), windows.bytes(info));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot map tensor \"" + name + "\" of " + path + ": " + e.getMessage(), e);
        }
    }

    /** Closes the file handle. Tensors already handed out stay readable (see the class description). */
    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }

    @Override
    public String toString() {
        return path + " (" + header.tensors().size() + " tensors, " + fileSize() + " bytes)";
    }
}
