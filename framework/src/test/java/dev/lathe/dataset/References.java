package dev.lathe.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The reference images made by {@code reference/make_references.py} with Pillow and OpenCV. */
final class References {

    private References() {
    }

    static Path path(String name) {
        try {
            return Path.of(References.class.getResource("reference/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource reference/" + name, e);
        }
    }

    static RgbImage image(String name) {
        try {
            return ImageFiles.read(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The largest absolute difference of two images' 8-bit values. */
    static int maxDifference(RgbImage a, RgbImage b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new AssertionError("sizes differ: " + a.width() + "x" + a.height() + " vs " + b.width() + "x"
                    + b.height());
        }
        int max = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            max = Math.max(max, Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF)));
        }
        return max;
    }

    /** How many 8-bit values differ. */
    static int differing(RgbImage a, RgbImage b) {
        int n = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            if (a.rgb()[i] != b.rgb()[i]) {
                n++;
            }
        }
        return n;
    }
}
