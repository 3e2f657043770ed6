package dev.lathe.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.framework.internal.io.AtomicFiles;
import dev.lathe.lora.KohyaHashes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The hashes AUTOMATIC1111 writes into infotexts, and a small cache so that a multi-gigabyte
 * checkpoint is hashed once rather than every run.
 *
 * <ul>
 * <li>Model hash: the first 10 hex digits of the SHA-256 of the whole checkpoint file (A1111's
 *     short hash). The full SHA-256 is kept in a JSON file (by default
 *     {@code ~/.cache/lathe/model-hashes.json}) keyed by the file's absolute path and valid while
 *     its size and modification time are unchanged.
 * <li>LoRA hash: the first 12 hex digits of the file's {@code sshs_model_hash} metadata, or, when
 *     the file has none, of the SHA-256 of its data section (everything after the safetensors
 *     header), which is what {@code sshs_model_hash} holds and what A1111 computes then.
 * </ul>
 */
public final class FileHashes {

    /** Hex digits in A1111's checkpoint short hash. */
    public static final int MODEL_HASH_DIGITS = 10;
    /** Hex digits in A1111's LoRA short hash. */
    public static final int LORA_HASH_DIGITS = 12;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path cacheFile;

    /** Hashes cached in {@code cacheFile} (created when first needed); null caches nothing. */
    public FileHashes(Path cacheFile) {
        this.cacheFile = cacheFile;
    }

    /** The user's cache, {@code ~/.cache/lathe/model-hashes.json}. */
    public static FileHashes userCache() {
        return new FileHashes(Path.of(System.getProperty("user.home"), ".cache", "lathe", "model-hashes.json"));
    }

    /**
     * A1111's model hash of a checkpoint file (10 hex digits), or null for a folder (a diffusers
     * model has no single file to hash).
     */
    public String modelHash(Path checkpoint) throws IOException {
        if (Files.isDirectory(checkpoint)) {
            return null;
        }
        return sha256(checkpoint).substring(0, MODEL_HASH_DIGITS);
    }

    /** The SHA-256 of {@code file} (64 hex digits), from the cache when the file is unchanged. */
    public synchronized String sha256(Path file) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        long size = Files.size(absolute);
        long modified = Files.getLastModifiedTime(absolute).toMillis();
        ObjectNode cache = readCache();
        JsonNode entry = cache.path("files").path(absolute.toString());
        if (entry.path("size").asLong(-1) == size && entry.path("modified").asLong(-1) == modified
                && entry.path("sha256").asText("").length() == 64) {
            return entry.get("sha256").asText();
        }
        String hash = digest(absolute, 0);
        if (cacheFile != null) {
            ObjectNode files = cache.has("files") && cache.get("files").isObject() ? (ObjectNode) cache.get("files")
                    : cache.putObject("files");
            ObjectNode fresh = files.putObject(absolute.toString());
            fresh.put("size", size);
            fresh.put("modified", modified);
            fresh.put("sha256", hash);
            writeCache(cache);
        }
        return hash;
    }

    /**
     * A1111's short hash of a LoRA file (12 hex digits): from {@code metadata}'s
     * {@code sshs_model_hash} when present, else the SHA-256 of the file's data section.
     */
    public static String loraHash(Path file, Map<String, String> metadata) throws IOException {
        String stored = metadata.get(KohyaHashes.MODEL_HASH_KEY);
        if (stored != null && stored.trim().length() >= LORA_HASH_DIGITS) {
            return stored.trim().substring(0, LORA_HASH_DIGITS).toLowerCase(java.util.Locale.ROOT);
        }
        long headerLength;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (length.hasRemaining() && channel.read(length) >= 0) {
                // the 8-byte header length
            }
            headerLength = length.flip().getLong();
        }
        return digest(file, 8 + headerLength).substring(0, LORA_HASH_DIGITS);
    }

    /** The SHA-256 of {@code file} from byte {@code offset} to the end. */
    private static String digest(Path file, long offset) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.position(offset);
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                sha.update(buffer);
                buffer.clear();
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private ObjectNode readCache() {
        if (cacheFile == null || !Files.isRegularFile(cacheFile)) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(cacheFile.toFile());
            return node instanceof ObjectNode object ? object : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode(); // a damaged cache is rebuilt, never an error
        }
    }

    private void writeCache(ObjectNode cache) {
        try {
            Files.createDirectories(cacheFile.toAbsolutePath().getParent());
            byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(cache);
            AtomicFiles.write(cacheFile, out -> out.write(bytes));
        } catch (IOException e) {
            // The hash is still right; only the next run hashes again.
        }
    }
}
