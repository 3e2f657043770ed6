package dev.lathe.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The test data: the shared tiny SD 1.5 checkpoint read in place, and copies of the small fixture
 * files beside it (its LoRA, the reference merge, the UNet inputs, the tolerances) and of the
 * SDXL fixture's UNet LoRA.
 */
final class Fixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource " + name + " is missing", e);
        }
    }

    /**
     * The shared tiny SD 1.5 checkpoint, {@code ../shared/fixtures/sd15/tiny.safetensors}, read in
     * place (not copied into the repository). Required under {@code CI=true}; elsewhere the test is
     * skipped when the shared folder is absent.
     */
    static Path tiny() {
        String property = System.getProperty("lathe.shared.dir");
        Path file = Path.of(property != null && !property.isBlank() ? property : "../../../shared")
                .resolve("fixtures/sd15/tiny.safetensors");
        if (!Files.isRegularFile(file)) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true but the shared fixture " + file.toAbsolutePath() + " is missing");
            }
            Assumptions.abort("the shared fixture " + file.toAbsolutePath() + " is missing");
        }
        return file.toAbsolutePath().normalize();
    }

    /** The fixture's kohya LoRA for the tiny checkpoint: rank 4, alpha 2, 40 UNet attention modules. */
    static Path lora() {
        return resource("sd15/lora.safetensors");
    }

    static Path sdxlLora() {
        return resource("sdxl/lora_unet.safetensors");
    }

    /** The suggested {atol, rtol} of {@code "<file>:<tensor>"} in {@code tolerances.json}. */
    static double[] tolerance(String key) {
        try {
            JsonNode entry = JSON.readTree(resource("sd15/tolerances.json").toFile()).get("outputs").get(key);
            if (entry == null) {
                throw new IllegalStateException("tolerances.json has no entry " + key);
            }
            JsonNode suggested = entry.get("suggested");
            return new double[] {suggested.get("atol").asDouble(), suggested.get("rtol").asDouble()};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
