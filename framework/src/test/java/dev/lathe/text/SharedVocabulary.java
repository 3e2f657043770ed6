package dev.lathe.text;

import static org.junit.jupiter.api.Assertions.fail;

import dev.lathe.safetensors.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The real CLIP vocabulary from the shared fixtures ({@code ../shared/fixtures/sd15/}), which is
 * deliberately not copied into the repository. Missing, a test fails under {@code CI=true} and is
 * skipped otherwise. Loaded tokenizers are kept for the whole test run: they are immutable.
 */
final class SharedVocabulary {

    static final String OPENAI_FILE = "bpe_simple_vocab_16e6.txt.gz";

    private static ClipTokenizer openAi;
    private static ClipTokenizer huggingFace;

    private SharedVocabulary() {
    }

    /** A file of the shared {@code sd15} fixtures folder. */
    static Path file(String name) {
        Path file = SharedFixtures.fixtures().resolve("sd15").resolve(name);
        if (!Files.isRegularFile(file)) {
            String problem = "The shared fixture " + file.toAbsolutePath().normalize() + " is missing";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(problem + "; CI=true requires it.");
            }
            Assumptions.abort(problem + "; skipping the tests that need it.");
        }
        return file;
    }

    static synchronized ClipTokenizer openAi() {
        if (openAi == null) {
            openAi = ClipTokenizer.fromOpenAiVocabulary(file(OPENAI_FILE));
        }
        return openAi;
    }

    static synchronized ClipTokenizer huggingFace() {
        if (huggingFace == null) {
            huggingFace = ClipTokenizer.fromHuggingFace(file("vocab.json"), file("merges.txt"));
        }
        return huggingFace;
    }
}
