package dev.lathe.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.lora.KohyaHashes;
import dev.lathe.lora.LoraFile;
import dev.lathe.lora.LoraWeights;
import dev.lathe.lora.SavePrecision;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileHashesTest {

    @TempDir
    Path dir;

    @Test
    void modelHashIsTheFileSha256HashedOnceWhileTheFileIsUnchanged() throws Exception {
        Path checkpoint = Files.write(dir.resolve("model.safetensors"), new byte[] {1, 2, 3, 4, 5});
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3, 4, 5}));
        Path cache = dir.resolve("cache/model-hashes.json");
        FileHashes hashes = new FileHashes(cache);
        assertEquals(expected, hashes.sha256(checkpoint));
        assertEquals(expected.substring(0, 10), hashes.modelHash(checkpoint));

        // A changed cache entry for the unchanged file is believed: proof that the file is not hashed again.
        ObjectMapper json = new ObjectMapper();
        ObjectNode node = (ObjectNode) json.readTree(cache.toFile());
        ((ObjectNode) node.get("files").get(checkpoint.toAbsolutePath().normalize().toString())).put("sha256", "f".repeat(64));
        json.writeValue(cache.toFile(), node);
        assertEquals("f".repeat(64), new FileHashes(cache).sha256(checkpoint));

        // Once the file changes (its modification time), it is hashed again.
        Files.setLastModifiedTime(checkpoint, FileTime.fromMillis(Files.getLastModifiedTime(checkpoint).toMillis() + 5000));
        assertEquals(expected, new FileHashes(cache).sha256(checkpoint));

        Files.writeString(cache, "{ not json");
        assertEquals(expected, new FileHashes(cache).sha256(checkpoint), "a damaged cache is rebuilt");
        assertNull(hashes.modelHash(dir), "a diffusers folder has no single-file hash");
    }

    @Test
    void loraHashIsSshsModelHashOrTheSameComputedFromTheDataSection() throws Exception {
        LoraWeights module = new LoraWeights("lora_unet_a", Tensor.ofFloats(new long[] {2, 2}, new float[] {1, 2, 3, 4}),
                Tensor.ofFloats(new long[] {2, 2}, new float[] {5, 6, 7, 8}), 1f);
        Path file = dir.resolve("lora.safetensors");
        KohyaHashes written = LoraFile.write(file, List.of(module), SavePrecision.FP32, Map.of("ss_network_dim", "2"));
        Map<String, String> metadata = SafeTensorsFile.readMetadata(file);
        assertEquals(written.modelHash().substring(0, 12), FileHashes.loraHash(file, metadata));
        assertEquals(written.modelHash().substring(0, 12), FileHashes.loraHash(file, Map.of()), "computed when absent");
    }
}
