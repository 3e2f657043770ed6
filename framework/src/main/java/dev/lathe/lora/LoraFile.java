package dev.lathe.lora;

import dev.lathe.api.InvalidInputException;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import dev.lathe.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * kohya-ss LoRA files: per module {@code <name>.lora_down.weight}, {@code <name>.lora_up.weight}
 * and a 0-dim {@code <name>.alpha}, all in the save precision, and string metadata in the
 * safetensors header ({@code ss_*} training metadata, {@code modelspec.*}, the {@code sshs_*}
 * hashes). AUTOMATIC1111, ComfyUI and diffusers load these files.
 */
public final class LoraFile {

    static final String DOWN = ".lora_down.weight";
    static final String UP = ".lora_up.weight";
    static final String ALPHA = ".alpha";

    /** How many offending names an error message lists before it summarizes. */
    private static final int LISTED = 10;

    private LoraFile() {
    }

    /**
     * Writes {@code modules} to {@code target} atomically (temporary file, then rename) in
     * {@code precision}, with {@code metadata} (in its order) followed by the {@code sshs_model_hash}
     * and {@code sshs_legacy_hash} of the written tensors.
     *
     * @return the hashes written
     * @throws IllegalArgumentException for two modules of the same name
     */
    public static KohyaHashes write(Path target, Collection<LoraWeights> modules, SavePrecision precision,
            Map<String, String> metadata) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (LoraWeights module : modules) {
            if (tensors.containsKey(module.name() + DOWN)) {
                throw new IllegalArgumentException("two modules named " + module.name());
            }
            tensors.put(module.name() + DOWN, precision.convert(module.down()));
            tensors.put(module.name() + UP, precision.convert(module.up()));
            tensors.put(module.name() + ALPHA, precision.convert(Tensor.scalar(module.alpha())));
        }
        KohyaHashes hashes = KohyaHashes.of(tensors, metadata);
        Map<String, String> header = new LinkedHashMap<>(metadata);
        header.put(KohyaHashes.MODEL_HASH_KEY, hashes.modelHash());
        header.put(KohyaHashes.LEGACY_HASH_KEY, hashes.legacyHash());
        SafeTensorsWriter.write(target, tensors, header);
        return hashes;
    }

    /**
     * Reads a LoRA file: every module with its kind, rank and alpha (a module without an alpha
     * gets alpha = rank, as kohya and the UIs read it, and is listed in {@link
     * LoraFileContents#modulesWithoutAlpha()}). Tensors are views of the memory-mapped file.
     *
     * @throws InvalidInputException naming the file and the offending keys when it holds tensors
     *     that are not kohya LoRA keys (e.g. LyCORIS LoHa/LoKr or DoRA), modules with only one of
     *     down and up, mismatched shapes, or no modules at all
     */
    public static LoraFileContents read(Path file) throws IOException {
        try (SafeTensorsFile safetensors = SafeTensorsFile.open(file)) {
            Map<String, Map<String, TensorInfo>> byModule = new TreeMap<>();
            List<String> unknown = new ArrayList<>();
            for (TensorInfo info : safetensors.tensors().values()) {
                String suffix = suffixOf(info.name());
                if (suffix == null) {
                    unknown.add(info.name());
                } else {
                    String module = info.name().substring(0, info.name().length() - suffix.length());
                    byModule.computeIfAbsent(module, m -> new LinkedHashMap<>()).put(suffix, info);
                }
            }
            if (!unknown.isEmpty()) {
                throw new InvalidInputException(file + " is not a kohya LoRA: it has " + unknown.size()
                        + " tensor(s) that are not <module>.lora_down.weight, .lora_up.weight or .alpha: "
                        + listed(unknown) + ". LyCORIS networks (LoHa, LoKr, DoRA) use other keys and cannot be "
                        + "read as a LoRA.");
            }
            Map<String, LoraWeights> modules = new LinkedHashMap<>();
            List<String> problems = new ArrayList<>();
            List<String> withoutAlpha = new ArrayList<>();
            byModule.forEach((name, parts) -> {
                TensorInfo down = parts.get(DOWN);
                TensorInfo up = parts.get(UP);
                if (down == null || up == null) {
                    problems.add(name + " has no " + (down == null ? "lora_down.weight" : "lora_up.weight"));
                    return;
                }
                String shapeProblem = LoraWeights.shapeProblem(down.shape(), up.shape());
                if (shapeProblem != null) {
                    problems.add(name + ": " + shapeProblem);
                    return;
                }
                float alpha = (float) down.shape()[0];
                TensorInfo alphaInfo = parts.get(ALPHA);
                if (alphaInfo == null) {
                    withoutAlpha.add(name);
                } else if (alphaInfo.elementCount() != 1) {
                    problems.add(name + ".alpha has shape " + Arrays.toString(alphaInfo.shape())
                            + " instead of a single number");
                    return;
                } else {
                    alpha = safetensors.tensor(alphaInfo.name()).toFloatArray()[0];
                }
                modules.put(name, new LoraWeights(name, safetensors.tensor(down.name()), safetensors.tensor(up.name()),
                        alpha));
            });
            if (!problems.isEmpty()) {
                throw new InvalidInputException(file + " is a damaged or incomplete LoRA: " + problems.size()
                        + " module(s) cannot be used: " + listed(problems) + ".");
            }
            if (modules.isEmpty()) {
                throw new InvalidInputException(file + " holds no LoRA modules (no <module>.lora_down.weight / "
                        + ".lora_up.weight pairs).");
            }
            return new LoraFileContents(file, modules, safetensors.metadata(), withoutAlpha);
        }
    }

    private static String suffixOf(String key) {
        for (String suffix : List.of(DOWN, UP, ALPHA)) {
            if (key.endsWith(suffix) && key.length() > suffix.length()) {
                return suffix;
            }
        }
        return null;
    }

    private static String listed(List<String> items) {
        String shown = String.join(", ", items.subList(0, Math.min(LISTED, items.size())));
        return items.size() > LISTED ? shown + " and " + (items.size() - LISTED) + " more" : shown;
    }
}
