package dev.lathe.safetensors;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes {@code .safetensors} files as the reference implementation (huggingface/safetensors,
 * {@code safetensors.torch.save_file}) does, atomically, and computes the data hash kohya-ss
 * stores in LoRA metadata.
 *
 * <p><b>Layout.</b> The header is compact JSON: {@code "__metadata__"} first (omitted when
 * empty), then the tensors in data order, each {@code {"dtype","shape","data_offsets"}}; it is
 * padded with spaces to a multiple of 8 bytes. The data section holds the tensors back to back,
 * ordered as the reference orders them: by dtype alignment, largest first (the reference's dtype
 * order, highest first: U64, I64, F64, F32, U32, I32, BF16, F16, U16, I16, F8_E4M3, F8_E5M2, I8,
 * U8, BOOL), then by name (by code point, as Rust compares strings). Files with a single dtype,
 * such as LoRAs, are therefore in plain sorted-name order. With the 8-byte-aligned header this
 * keeps every tensor aligned to its element size in the file, and it makes {@link #dataSha256}
 * agree with what kohya-ss computes from the reference serializer.
 *
 * <p><b>Atomicity.</b> {@link #write} writes to a temporary file {@code .<name>.tmp-<random>} in
 * the target's folder, forces it to disk, then renames it over the target in one atomic step. If
 * anything fails, the temporary file is deleted and an existing target is left untouched, so a
 * crash or a full disk never leaves a half-written checkpoint behind.
 *
 * <p><b>Streaming.</b> Tensor bytes go from their buffers (often memory-mapped views of another
 * file) to the file in chunks of at most 1 MiB; nothing is gathered into one large array, and a
 * mapped view is written from the mapping without a copy in the Java heap. {@link #writeDeferred}
 * goes further for computed tensors: each is made only when the writer reaches it and can be
 * dropped right after, so a checkpoint larger than the heap can be rewritten with some of its
 * tensors changed.
 */
public final class SafeTensorsWriter {

    private static final int CHUNK_BYTES = 1 << 20;

    /** The reference's dtype order (its {@code Dtype} enum, by increasing alignment). */
    private static final List<DType> REFERENCE_DTYPE_ORDER = List.of(DType.BOOL, DType.U8, DType.I8, DType.F8_E5M2,
            DType.F8_E4M3, DType.I16, DType.U16, DType.F16, DType.BF16, DType.I32, DType.U32, DType.F32, DType.F64,
            DType.I64, DType.U64);

    /** Data order: highest reference dtype rank first, then name by code point (Rust's String order). */
    private static final Comparator<Map.Entry<String, DeferredTensor>> DATA_ORDER =
            Comparator.<Map.Entry<String, DeferredTensor>>comparingInt(
                    e -> -REFERENCE_DTYPE_ORDER.indexOf(e.getValue().dtype()))
                    .thenComparing(Map.Entry::getKey, SafeTensorsWriter::compareCodePoints);

    private static final JsonFactory JSON = new JsonFactory();

    private SafeTensorsWriter() {
    }

    /**
     * Writes {@code tensors} and {@code metadata} (in its iteration order; may be null or empty)
     * to {@code target}, replacing it atomically. The target's folder must exist.
     *
     * @throws IOException when writing fails; {@code target} is then unchanged and no temporary
     *     file is left behind
     * @throws IllegalArgumentException for a tensor named {@code __metadata__} or a header over 100 MB
     */
    public static void write(Path target, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        writeDeferred(target, deferred(tensors), metadata);
    }

    /**
     * As {@link #write}, with tensors made one at a time as the writer reaches them (in data
     * order; see the class description): the header is written from the declared dtypes and
     * shapes, then each tensor's {@link DeferredTensor#content()} is called, its bytes written and
     * the tensor let go, so at most one computed tensor is held at a time.
     *
     * @throws IOException when writing fails; {@code target} is then unchanged and no temporary
     *     file is left behind
     * @throws IllegalStateException when a computed tensor's dtype or shape differs from the
     *     declared one (nothing is written then either)
     * @throws IllegalArgumentException for a tensor named {@code __metadata__} or a header over 100 MB
     */
    public static void writeDeferred(Path target, Map<String, DeferredTensor> tensors, Map<String, String> metadata)
            throws IOException {
        List<Map.Entry<String, DeferredTensor>> ordered = dataOrder(tensors);
        byte[] header = header(ordered, metadata == null ? Map.of() : metadata);
        Path temp = createTempFile(target);
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                writeFully(out, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
                writeFully(out, ByteBuffer.wrap(header));
                for (Map.Entry<String, DeferredTensor> entry : ordered) {
                    writeFully(out, entry.getValue().materialize(entry.getKey()).data());
                }
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable failure) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
        syncFolder(temp.getParent());
    }

    /**
     * The hex SHA-256 of the data section {@link #write} would produce for {@code tensors}, without
     * writing anything.
     *
     * <p>This is kohya-ss's {@code sshs_model_hash} (sd-scripts {@code library/train_util.py}):
     * {@code precalculate_safetensors_hashes} serializes the tensors with
     * {@code safetensors.torch.save} (keeping only the {@code ss_*} metadata) and
     * {@code addnet_hash_safetensors} hashes every byte after the header, i.e. the data section
     * only; sd-webui-additional-networks computes the same value from the saved file. As it
     * excludes the header, metadata never changes it, which is why it can be computed before the
     * header that stores it is written. (kohya's second value, {@code sshs_legacy_hash}, hashes
     * 64 KiB at file offset 1 MiB of that serialization, header included: see {@link
     * #serializedRange} and {@code dev.lathe.lora.KohyaHashes}.)
     */
    public static String dataSha256(Map<String, Tensor> tensors) {
        MessageDigest digest = sha256();
        for (Map.Entry<String, DeferredTensor> entry : dataOrder(deferred(tensors))) {
            forEachChunk(entry.getValue().materialize(entry.getKey()).data(), digest::update);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * The hex SHA-256 of the data section of an existing file (everything after the header), as
     * {@code addnet_hash_safetensors} computes it. The file is validated first, like {@link
     * SafeTensorsFile#open}.
     */
    public static String fileDataSha256(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (SafeTensorsFile safetensors = SafeTensorsFile.open(file);
                FileChannel channel = FileChannel.open(file)) {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES);
            long position = safetensors.dataOffset();
            int read;
            while ((read = channel.read(buffer.clear(), position)) > 0) {
                digest.update(buffer.flip());
                position += read;
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Up to {@code length} bytes of what {@link #write} would write for {@code tensors} and
     * {@code metadata}, starting at file offset {@code offset} (fewer, or none, past the end),
     * without writing anything. For hashes defined over part of a serialized file, such as
     * kohya-ss's legacy LoRA hash.
     */
    public static byte[] serializedRange(Map<String, Tensor> tensors, Map<String, String> metadata, long offset,
            int length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative offset or length: " + offset + ", " + length);
        }
        List<Map.Entry<String, DeferredTensor>> ordered = dataOrder(deferred(tensors));
        byte[] header = header(ordered, metadata == null ? Map.of() : metadata);
        ByteBuffer out = ByteBuffer.allocate(length);
        long position = 0; // file offset of the current piece
        List<ByteBuffer> pieces = new ArrayList<>();
        pieces.add(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
        pieces.add(ByteBuffer.wrap(header));
        for (Map.Entry<String, DeferredTensor> entry : ordered) {
            pieces.add(entry.getValue().materialize(entry.getKey()).data());
        }
        for (ByteBuffer piece : pieces) {
            long pieceEnd = position + piece.remaining();
            long from = Math.max(offset + out.position(), position);
            if (out.hasRemaining() && from < pieceEnd) {
                int start = (int) (from - position);
                int count = (int) Math.min(out.remaining(), pieceEnd - from);
                out.put(piece.slice(piece.position() + start, count));
            }
            position = pieceEnd;
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    /** Tensors that exist already, as deferred ones (in the same order). */
    private static Map<String, DeferredTensor> deferred(Map<String, Tensor> tensors) {
        Map<String, DeferredTensor> out = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> out.put(name,
                DeferredTensor.of(Objects.requireNonNull(tensor, () -> "tensor \"" + name + "\""))));
        return out;
    }

    /** The tensors in the order {@link #write} lays them out. */
    static List<Map.Entry<String, DeferredTensor>> dataOrder(Map<String, DeferredTensor> tensors) {
        List<Map.Entry<String, DeferredTensor>> ordered = new ArrayList<>(tensors.size());
        tensors.forEach((name, tensor) -> {
            Objects.requireNonNull(name, "tensor name");
            Objects.requireNonNull(tensor, () -> "tensor \"" + name + "\"");
            if (name.equals(HeaderReader.METADATA_KEY)) {
                throw new IllegalArgumentException("\"" + name + "\" is reserved for metadata; it cannot name a tensor");
            }
            ordered.add(Map.entry(name, tensor));
        });
        ordered.sort(DATA_ORDER);
        return ordered;
    }

    /** The header JSON, padded with spaces to a multiple of 8 bytes. */
    static byte[] header(List<Map.Entry<String, DeferredTensor>> ordered, Map<String, String> metadata) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            json.writeStartObject();
            if (!metadata.isEmpty()) {
                json.writeObjectFieldStart(HeaderReader.METADATA_KEY);
                for (Map.Entry<String, String> entry : metadata.entrySet()) {
                    json.writeStringField(Objects.requireNonNull(entry.getKey(), "metadata key"),
                            Objects.requireNonNull(entry.getValue(), () -> "metadata \"" + entry.getKey() + "\""));
                }
                json.writeEndObject();
            }
            long offset = 0;
            for (Map.Entry<String, DeferredTensor> entry : ordered) {
                DeferredTensor tensor = entry.getValue();
                json.writeObjectFieldStart(entry.getKey());
                json.writeStringField("dtype", tensor.dtype().code());
                json.writeFieldName("shape");
                long[] shape = tensor.shape();
                json.writeArray(shape, 0, shape.length);
                json.writeFieldName("data_offsets");
                json.writeArray(new long[] {offset, offset + tensor.byteSize()}, 0, 2);
                json.writeEndObject();
                offset += tensor.byteSize();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen: writing to memory
        }
        int padded = (bytes.size() + 7) / 8 * 8;
        if (padded > HeaderReader.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the safetensors header would be " + padded
                    + " bytes, over the format's limit of " + HeaderReader.MAX_HEADER_BYTES + " bytes");
        }
        byte[] header = Arrays.copyOf(bytes.toByteArray(), padded);
        Arrays.fill(header, bytes.size(), padded, (byte) ' ');
        return header;
    }

    private static Path createTempFile(Path target) throws IOException {
        Path name = target.getFileName();
        if (name == null) {
            throw new IllegalArgumentException("not a file path: " + target);
        }
        Path folder = target.toAbsolutePath().getParent();
        while (true) {
            Path temp = folder.resolve("." + name + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            try {
                // CREATE_NEW with default permissions (umask), unlike Files.createTempFile's owner-only ones.
                Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                // astronomically unlikely; draw another name
            }
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer data) throws IOException {
        forEachChunk(data, chunk -> {
            while (chunk.hasRemaining()) {
                out.write(chunk);
            }
        });
    }

    /** Receives the chunks of a buffer. */
    private interface ChunkSink<E extends Exception> {
        void accept(ByteBuffer chunk) throws E;
    }

    /**
     * Hands {@code data} on in slices of at most 1 MiB. Writing a large heap buffer in one call
     * would make the JDK copy all of it into a temporary direct buffer of the same size.
     */
    private static <E extends Exception> void forEachChunk(ByteBuffer data, ChunkSink<E> sink) throws E {
        for (int at = data.position(); at < data.limit(); at += CHUNK_BYTES) {
            sink.accept(data.slice(at, Math.min(CHUNK_BYTES, data.limit() - at)));
        }
    }

    /** Makes the rename durable where the platform allows syncing a folder (not on Windows). */
    private static void syncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the file itself is on disk; only the rename might be lost on power failure
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static int compareCodePoints(String a, String b) {
        return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }
}
