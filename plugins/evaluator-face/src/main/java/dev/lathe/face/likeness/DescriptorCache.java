package dev.lathe.face.likeness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reference descriptors on disk, keyed by the SHA-256 of the image file, so the same reference
 * photos are analysed once however many runs and epochs are evaluated against them. An entry
 * also records which analysis made it; entries of another analysis (detector, threshold, model
 * version) are ignored and rewritten.
 *
 * <p>The cache is an optimization only: an unreadable or unwritable cache is logged and
 * bypassed, never an error.
 */
public final class DescriptorCache {

    private static final Logger LOG = LoggerFactory.getLogger(DescriptorCache.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The main face of one image, or none. */
    public record Entry(int faces, float[] descriptor) {
        public static Entry none() {
            return new Entry(0, null);
        }

        public boolean hasFace() {
            return descriptor != null;
        }
    }

    private final Path folder;
    private final String analysis;

    /**
     * @param folder   where entries live (created when first written); null disables caching
     * @param analysis what produced the descriptors, e.g. {@code face-api-1.7.15 ssd 0.5 largest}
     */
    public DescriptorCache(Path folder, String analysis) {
        this.folder = folder;
        this.analysis = analysis;
    }

    public Optional<Entry> find(String fileSha256) {
        if (folder == null) {
            return Optional.empty();
        }
        Path file = folder.resolve(fileSha256 + ".json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (!analysis.equals(node.path("analysis").asText())) {
                return Optional.empty();
            }
            JsonNode descriptor = node.get("descriptor");
            if (descriptor == null || descriptor.isNull()) {
                return Optional.of(Entry.none());
            }
            float[] values = new float[descriptor.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) descriptor.get(i).asDouble();
            }
            return Optional.of(new Entry(node.path("faces").asInt(), values));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Ignoring the unreadable face descriptor cache entry {}: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    public void store(String fileSha256, Entry entry) {
        if (folder == null) {
            return;
        }
        ObjectNode node = JSON.createObjectNode().put("analysis", analysis).put("faces", entry.faces());
        if (entry.hasFace()) {
            ArrayNode values = node.putArray("descriptor");
            for (float v : entry.descriptor()) {
                values.add(v);
            }
        } else {
            node.putNull("descriptor");
        }
        try {
            Files.createDirectories(folder);
            Path temp = Files.createTempFile(folder, fileSha256, ".tmp");
            JSON.writeValue(temp.toFile(), node);
            try {
                Files.move(temp, folder.resolve(fileSha256 + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, folder.resolve(fileSha256 + ".json"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("Cannot write the face descriptor cache in {}: {}", folder, e.getMessage());
        }
    }
}
