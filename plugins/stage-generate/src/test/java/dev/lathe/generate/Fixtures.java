package dev.lathe.generate;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** The test resources: the tiny SD 1.5 checkpoint with its tokenizer beside it, its LoRA, an SDXL LoRA. */
final class Fixtures {

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
     * The shared tiny SD 1.5 checkpoint, {@code ../shared/fixtures/sd15/tiny.safetensors}, with its
     * tokenizer ({@code vocab.json}, {@code merges.txt}) beside it: read in place, not copied (the
     * CLIP vocabulary stays out of the repository). Required under {@code CI=true}; elsewhere the
     * test is skipped when the shared folder is absent.
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

    /** The fixture's kohya LoRA for the tiny checkpoint (rank 4, alpha 2, UNet attention), named {@code lora}. */
    static Path lora() {
        return resource("sd15/lora.safetensors");
    }

    static Path sdxlLora() {
        return resource("sdxl/lora_unet.safetensors");
    }
}
