package dev.lathe.api.caption;

import java.awt.image.BufferedImage;

/** A loaded captioner. Owns native memory: close it when done. */
public interface CaptionSession extends AutoCloseable {

    /** One caption for one image, without trailing punctuation or newline. */
    String caption(BufferedImage image);

    @Override
    void close();
}
