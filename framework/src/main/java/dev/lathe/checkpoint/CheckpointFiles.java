package dev.lathe.checkpoint;

import dev.lathe.api.InvalidInputException;
import dev.lathe.nn.WeightSource;
import dev.lathe.safetensors.Checkpoints;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The open files of a base checkpoint: one {@code .safetensors} file, or the component files of a
 * diffusers folder ({@code unet/}, {@code vae/}, {@code text_encoder/}, {@code text_encoder_2/})
 * with their tensor names prefixed by the folder ({@code unet/conv_in.weight}). Only headers are
 * read on opening; tensors are mapped on demand. Model families load from {@link #weights()};
 * {@link CheckpointRecognizer} and {@code lathe inspect} need only {@link #tensors()} and
 * {@link #metadata()}.
 */
public final class CheckpointFiles implements AutoCloseable {

    /** The component folders of a diffusers Stable Diffusion model that hold weights families read. */
    public static final List<String> DIFFUSERS_COMPONENTS = List.of("unet", "vae", "text_encoder", "text_encoder_2");

    private final Path path;
    private final List<SafeTensorsFile> files;
    private final WeightSource weights;
    private final Map<String, String> metadata;

    private CheckpointFiles(Path path, List<SafeTensorsFile> files, WeightSource weights, Map<String, String> metadata) {
        this.path = path;
        this.files = files;
        this.weights = weights;
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Opens a checkpoint and reads its headers.
     *
     * @param path a {@code .safetensors} file or a diffusers model folder
     * @throws InvalidInputException for a pickle file, a malformed safetensors file, or a folder
     *         that is not a diffusers model
     * @throws IOException when a file cannot be read
     */
    public static CheckpointFiles open(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            SafeTensorsFile file = SafeTensorsFile.open(path);
            return new CheckpointFiles(path, List.of(file), WeightSource.of(file), file.metadata());
        }
        List<SafeTensorsFile> files = new ArrayList<>();
        List<WeightSource> sources = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        try {
            for (String component : DIFFUSERS_COMPONENTS) {
                Path folder = path.resolve(component);
                if (!Files.isDirectory(folder)) {
                    continue; // reported as a missing part by the family
                }
                for (Path weights : weightFiles(folder)) {
                    SafeTensorsFile file = SafeTensorsFile.open(weights);
                    files.add(file);
                    sources.add(WeightSource.of(file, component + "/"));
                }
                Path config = folder.resolve("config.json");
                if (Files.isRegularFile(config)) {
                    metadata.put(component + "/config.json", Files.readString(config, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException | RuntimeException e) {
            for (SafeTensorsFile file : files) {
                file.close();
            }
            throw e;
        }
        if (files.isEmpty()) {
            throw new InvalidInputException(path + " is a folder but not a diffusers model: it has none of the "
                    + "component folders " + DIFFUSERS_COMPONENTS + " with .safetensors weights. Give a single-file "
                    + ".safetensors checkpoint, or the diffusers model folder itself (the one holding model_index.json).");
        }
        return new CheckpointFiles(path, files, WeightSource.union(sources.toArray(WeightSource[]::new)), metadata);
    }

    /**
     * The weight files of a component folder: the {@code .safetensors} files without a variant
     * ({@code diffusion_pytorch_model.safetensors}, or all shards of a sharded one), else the
     * {@code .fp16} variant. Pickle weights only ({@code .bin}) are refused with the usual explanation.
     */
    private static List<Path> weightFiles(Path folder) throws IOException {
        List<Path> plain = new ArrayList<>();
        List<Path> fp16 = new ArrayList<>();
        List<Path> pickles = new ArrayList<>();
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path p : entries.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".safetensors")) {
                    (name.contains(".fp16.") ? fp16 : plain).add(p);
                } else if (Checkpoints.hasPickleExtension(p)) {
                    pickles.add(p);
                }
            }
        }
        if (!plain.isEmpty()) {
            return plain;
        }
        if (!fp16.isEmpty()) {
            return fp16;
        }
        if (!pickles.isEmpty()) {
            Checkpoints.refusePickle(pickles.get(0));
        }
        return List.of();
    }

    /** The file or folder that was opened. */
    public Path path() {
        return path;
    }

    /** Whether the checkpoint is a diffusers folder (tensor names prefixed by their component folder). */
    public boolean isDiffusersFolder() {
        return Files.isDirectory(path);
    }

    /** Every tensor, named as described in the class comment; data mapped from the files on demand. */
    public WeightSource weights() {
        return weights;
    }

    /** Every tensor's name, dtype and shape, from the headers alone; unmodifiable. */
    public Map<String, TensorInfo> tensors() {
        return weights.infos();
    }

    /**
     * A single file's {@code __metadata__}, or for a diffusers folder each component's
     * {@code config.json} text under {@code "<folder>/config.json"}; unmodifiable.
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The total size of the weight files in bytes. */
    public long sizeBytes() {
        return files.stream().mapToLong(SafeTensorsFile::fileSize).sum();
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (SafeTensorsFile file : files) {
            try {
                file.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
