package dev.lathe.lora;

import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two hashes kohya-ss stores in a LoRA's metadata for sd-webui-additional-networks and the
 * model browsers (sd-scripts {@code train_util.precalculate_safetensors_hashes}), computed over
 * the file as {@code safetensors.torch.save} would serialize the tensors with only the {@code
 * ss_*} metadata:
 *
 * <ul>
 * <li>{@code sshs_model_hash}: SHA-256 (hex) of the data section, everything after the header.
 *     Metadata never changes it, so it can be stored in the header it is computed for.
 * <li>{@code sshs_legacy_hash}: the first 8 hex digits of the SHA-256 of the 64 KiB at file
 *     offset 1 MiB (fewer bytes if the file is shorter; an empty window for files under 1 MiB).
 *     The window starts inside the header only when the {@code ss_*} metadata is near 1 MiB; the
 *     reference then hashes its metadata in hash-map order, which is not reproducible, and this
 *     hashes Lathe's order.
 * </ul>
 *
 * @param modelHash  {@code sshs_model_hash}
 * @param legacyHash {@code sshs_legacy_hash}
 */
public record KohyaHashes(String modelHash, String legacyHash) {

    public static final String MODEL_HASH_KEY = "sshs_model_hash";
    public static final String LEGACY_HASH_KEY = "sshs_legacy_hash";

    private static final long LEGACY_OFFSET = 0x100000;
    private static final int LEGACY_LENGTH = 0x10000;

    /** The hashes of {@code tensors} (already in the save precision) with {@code metadata}'s {@code ss_*} entries. */
    public static KohyaHashes of(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, String> training = new LinkedHashMap<>();
        metadata.forEach((key, value) -> {
            if (key.startsWith("ss_")) {
                training.put(key, value);
            }
        });
        byte[] window = SafeTensorsWriter.serializedRange(tensors, training, LEGACY_OFFSET, LEGACY_LENGTH);
        String legacy = HexFormat.of().formatHex(sha256().digest(window)).substring(0, 8);
        return new KohyaHashes(SafeTensorsWriter.dataSha256(tensors), legacy);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
