package dev.lathe.lora;

import dev.lathe.api.InvalidInputException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a LoRA file holds.
 *
 * @param file                where it was read from
 * @param modules             the modules by name, sorted by name
 * @param metadata            the header metadata, in header order
 * @param modulesWithoutAlpha modules the file stores no alpha for (read as alpha = rank)
 */
public record LoraFileContents(Path file, Map<String, LoraWeights> modules, Map<String, String> metadata,
        List<String> modulesWithoutAlpha) {

    public LoraFileContents {
        Objects.requireNonNull(file, "file");
        modules = Collections.unmodifiableMap(new LinkedHashMap<>(modules));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        modulesWithoutAlpha = List.copyOf(modulesWithoutAlpha);
    }

    /**
     * The module {@code name}.
     *
     * @throws InvalidInputException when the file has no such module
     */
    public LoraWeights module(String name) {
        LoraWeights module = modules.get(name);
        if (module == null) {
            throw new InvalidInputException(file + " has no LoRA module " + name + " (it has "
                    + modules.size() + " modules).");
        }
        return module;
    }
}
