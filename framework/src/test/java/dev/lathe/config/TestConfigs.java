package dev.lathe.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Config files for tests, and where things are in them. */
public final class TestConfigs {

    /**
     * The stepping-stone workflow: train base3d, train target with base3d.best merged in,
     * evaluate target.last. Needs the files {@link #prepare} creates.
     */
    public static final String STEPPING_STONE = """
            {
              // Stepping-stone: a base LoRA learns the 3D look, so the target LoRA learns only the character.
              "name": "stepping-stone",
              "checkpoint": "models/base.safetensors",
              "family": "sd15",
              "seed": 7,
              "stages": [
                {
                  "name": "base3d",
                  "type": "train",
                  "dataset": "data/base3d",
                  "epochs": 8,
                },
                {
                  "name": "target",
                  "type": "train",
                  "dataset": "data/target",
                  "optimizer": {"id": "adafactor", "weightDecay": 0},
                  "merge": [{"lora": "base3d.best", "weight": 1.0}],
                },
                {
                  "name": "check",
                  "type": "evaluate",
                  "lora": "target.last",
                  /* a real evaluate stage takes many more options */
                },
              ],
            }
            """;

    private TestConfigs() {
    }

    /** Creates the checkpoint and dataset folders the example configs name, under {@code dir}. */
    public static void prepare(Path dir) {
        try {
            Files.createDirectories(dir.resolve("models"));
            Files.writeString(dir.resolve("models/base.safetensors"), "not really a checkpoint");
            Files.createDirectories(dir.resolve("data/base3d"));
            Files.createDirectories(dir.resolve("data/target"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code json} to {@code dir/pipeline.json}. */
    public static Path write(Path dir, String json) {
        try {
            return Files.writeString(dir.resolve("pipeline.json"), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code line N, column M} of the first occurrence of {@code needle}, as problems name it. */
    public static String at(String text, String needle) {
        return at(text, needle, 0);
    }

    /** Like {@link #at(String, String)}, for the occurrence after {@code skip} earlier ones. */
    public static String at(String text, String needle, int skip) {
        int index = text.indexOf(needle);
        for (int i = 0; i < skip; i++) {
            index = text.indexOf(needle, index + 1);
        }
        if (index < 0) {
            throw new IllegalArgumentException(needle + " is not in the text");
        }
        int lineStart = text.lastIndexOf('\n', index) + 1;
        long line = text.substring(0, index).chars().filter(c -> c == '\n').count() + 1;
        return "line " + line + ", column " + (index - lineStart + 1);
    }
}
