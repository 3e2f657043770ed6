package dev.lathe.config;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.Options;
import dev.lathe.api.PluginChoice;
import dev.lathe.config.Node.ObjectNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a pipeline config and checks all of it before anything runs: the top-level fields, each
 * stage's type and options, every plugin id, path and {@code stage.output} reference. All
 * problems are reported together in one {@link InvalidInputException}, each with its line and
 * column. The format is described in {@code docs/config.md}.
 */
public final class ConfigReader {

    private final PluginCatalog catalog;

    /** @param catalog the installed plugins: stage types, model families and whatever stages name */
    public ConfigReader(PluginCatalog catalog) {
        this.catalog = catalog;
    }

    /** Reads {@code file}, with the output folder it names (or its default). */
    public PipelineConfig read(Path file) {
        return read(file, null);
    }

    /**
     * Reads {@code file}.
     *
     * @param outputOverride the output folder to use instead of the config's (as given on a
     *                       command line: relative to the current directory), or {@code null}
     * @throws InvalidInputException listing every problem found
     */
    public PipelineConfig read(Path file, Path outputOverride) {
        Path source = file.toAbsolutePath().normalize();
        Problems problems = new Problems(source);
        Optional<Node> parsed = new JsonTreeParser(problems).parse(readText(source));
        if (parsed.isEmpty()) {
            throw problems.toException();
        }
        if (!(parsed.get() instanceof ObjectNode root)) {
            problems.add(parsed.get().location(), "the file must hold a JSON object { ... } with the pipeline's fields, got "
                    + parsed.get().describe() + ".");
            throw problems.toException();
        }

        Path folder = source.getParent();
        OptionValidator validator = new OptionValidator(folder, catalog, problems);
        Options top = validator.object(root, ConfigFields.TOP_LEVEL, Scope.topLevel(), Set.of(ConfigFields.STAGES.name()));
        List<StageConfig> stages = new StageListReader(validator, catalog, problems).read(root);
        Path checkpoint = (Path) top.find("checkpoint").orElse(null);
        if (checkpoint != null && !Files.exists(checkpoint)) {
            problems.add(root.field("checkpoint").orElseThrow().value().location(), "\"checkpoint\" names " + checkpoint
                    + ", which does not exist; give a .safetensors file or a diffusers folder"
                    + " (a relative path starts from the config file's folder).");
        }
        problems.throwIfAny();

        String name = (String) top.find("name").orElseGet(() -> withoutExtension(source.getFileName().toString()));
        Path output = outputOverride != null ? outputOverride.toAbsolutePath().normalize()
                : (Path) top.find("output").orElseGet(() -> folder.resolve("runs").resolve(name).normalize());
        String family = top.find("family").map(f -> ((PluginChoice) f).id()).orElse(null);
        return new PipelineConfig(source, name, (String) top.find("description").orElse(null), checkpoint, family,
                top.getString("device"), top.getLong("seed"), output, stages);
    }

    private static String readText(Path source) {
        try {
            return Files.readString(source);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("The pipeline config " + source + " does not exist. Check the path;"
                    + " a relative path starts from the current directory.");
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("The pipeline config " + source + " is not UTF-8 text. Save it as UTF-8"
                    + " (any plain-text editor can) and run again.");
        } catch (IOException e) {
            String reason = Files.isDirectory(source) ? "it is a folder, not a file" : e.toString();
            throw new InvalidInputException("The pipeline config " + source + " cannot be read: " + reason
                    + ". Give the path of a readable JSON file.", e);
        }
    }

    private static String withoutExtension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }
}
