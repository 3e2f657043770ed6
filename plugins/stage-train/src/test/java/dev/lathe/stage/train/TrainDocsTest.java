package dev.lathe.stage.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.OptionSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/training.md documents every option of the train stage, with its flag. */
class TrainDocsTest {

    @Test
    void everyOptionHasARowInTheDocs() throws Exception {
        String docs = Files.readString(Path.of("../../docs/training.md"));
        for (OptionSpec option : TrainOptions.SPECS) {
            String flag = "--" + option.name().replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                    .replaceAll("([A-Z])([A-Z][a-z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
            assertTrue(docs.contains("| `" + option.name() + "` | `" + flag + "` |"), option.name() + " is documented");
        }
    }
}
