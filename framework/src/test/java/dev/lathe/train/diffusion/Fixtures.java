package dev.lathe.train.diffusion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.safetensors.SafeTensorsFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The copies of {@code fixtures/train/diffusion_math.*} in test resources. */
final class Fixtures {

    private Fixtures() {
    }

    static SafeTensorsFile diffusionMath() throws IOException {
        try {
            return SafeTensorsFile.open(Path.of(Fixtures.class.getResource("/train/diffusion_math.safetensors").toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode diffusionMathJson() {
        try (InputStream in = Fixtures.class.getResourceAsStream("/train/diffusion_math.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Largest |expected - actual| / max(|expected|, floor) over all elements. */
    static double maxRelativeError(float[] expected, float[] actual, double floor) {
        if (expected.length != actual.length) {
            throw new AssertionError("length " + actual.length + ", expected " + expected.length);
        }
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs((double) expected[i] - actual[i]) / Math.max(Math.abs(expected[i]), floor));
        }
        return worst;
    }
}
