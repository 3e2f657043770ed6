package dev.lathe.render;

import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Where the names of {@code <lora:name:…>} prompt tags are looked up, as AUTOMATIC1111 looks
 * them up in its {@code models/Lora} folder: {@code name.safetensors} anywhere in a folder or its
 * subfolders; the folders in the order given, and within one folder the first match in path order.
 */
public final class LoraFolders {

    private final List<Path> folders;

    public LoraFolders(List<Path> folders) {
        this.folders = List.copyOf(folders);
    }

    public static LoraFolders none() {
        return new LoraFolders(List.of());
    }

    public List<Path> folders() {
        return folders;
    }

    /**
     * The file of LoRA {@code name}.
     *
     * @throws InvalidInputException when no folder has it, naming the folders and what they hold
     */
    public Path find(String name, String tag) {
        String wanted = name + ".safetensors";
        for (Path folder : folders) {
            Optional<Path> match = files(folder).stream().filter(f -> f.getFileName().toString().equals(wanted)).findFirst();
            if (match.isPresent()) {
                return match.get();
            }
        }
        if (folders.isEmpty()) {
            throw new InvalidInputException("The prompt's LoRA tag " + tag + " names the LoRA \"" + name + "\", but no LoRA "
                    + "folder is set to look it up in. Give the folder that holds " + wanted + " (lathe sample: --lora-dir; "
                    + "generate stage: loraFolders), or pass the file itself (--lora FILE:STRENGTH).");
        }
        TreeSet<String> known = new TreeSet<>();
        for (Path folder : folders) {
            for (Path file : files(folder)) {
                known.add(LoraUse.stem(file));
            }
        }
        List<String> shown = new ArrayList<>(known).subList(0, Math.min(20, known.size()));
        throw new InvalidInputException("The prompt's LoRA tag " + tag + " names the LoRA \"" + name + "\", but there is no "
                + wanted + " in the LoRA folders " + folders + ". " + (known.isEmpty() ? "They hold no .safetensors files."
                : "They hold: " + String.join(", ", shown) + (known.size() > shown.size() ? ", ..." : "") + ".")
                + " Names are matched exactly, without the extension.");
    }

    private static List<Path> files(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new InvalidInputException("The LoRA folder " + folder + " does not exist or is not a folder.");
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(".safetensors"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the LoRA folder " + folder + ": " + e.getMessage(), e);
        }
    }
}
