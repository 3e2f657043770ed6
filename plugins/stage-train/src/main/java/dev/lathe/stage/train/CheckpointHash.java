package dev.lathe.stage.train;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** kohya's {@code ss_new_sd_model_hash}: the SHA-256 of the whole checkpoint file ("None" for a folder). */
final class CheckpointHash {

    private CheckpointHash() {
    }

    static String sha256(Path checkpoint) throws IOException {
        if (!Files.isRegularFile(checkpoint)) {
            return "None";
        }
        try (InputStream in = Files.newInputStream(checkpoint)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
