package dev.lathe.api.model;

import java.nio.file.Path;
import java.util.Map;

/**
 * A loaded base checkpoint. Owns native memory: close it when done. The families add typed access
 * to their components (text encoders, UNet, VAE) in their own API.
 */
public interface BaseModel extends AutoCloseable {

    /** The family id that loaded it. */
    String family();

    /** The file or folder it was loaded from. */
    Path source();

    /** What {@link BaseModelFamily#recognize} inferred. */
    Map<String, Object> architecture();

    @Override
    void close();
}
