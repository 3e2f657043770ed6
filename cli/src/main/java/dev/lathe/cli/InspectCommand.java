package dev.lathe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.Recognition;
import dev.lathe.checkpoint.CheckpointFiles;
import dev.lathe.checkpoint.CheckpointRecognizer;
import dev.lathe.safetensors.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lathe inspect}: what a safetensors file (or a diffusers model folder) holds, read from
 * its headers alone: tensor and parameter counts, dtypes, components, metadata, and the model
 * family that recognizes it.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Describe a .safetensors file (checkpoint, LoRA, training state): tensors, parameters, "
                + "dtypes, components, metadata and, for checkpoints, the detected model family.")
final class InspectCommand implements Callable<Integer> {

    /** Checkpoint and LoRA key prefixes that name a model component, longest match first. */
    private static final List<String> COMPONENTS = List.of(
            "model.diffusion_model.", "first_stage_model.", "cond_stage_model.",
            "conditioner.embedders.0.", "conditioner.embedders.1.",
            "lora_unet_", "lora_te1_", "lora_te2_", "lora_te_");

    /** Components that make a file a base checkpoint (as opposed to a LoRA or a training state). */
    private static final List<String> CHECKPOINT_COMPONENTS = List.of(
            "model.diffusion_model", "first_stage_model", "cond_stage_model", "conditioner.embedders.0",
            "conditioner.embedders.1", "unet", "vae", "text_encoder", "text_encoder_2");

    private static final int TEXT_VALUE_LIMIT = 160;

    @Parameters(paramLabel = "FILE", description = "A .safetensors file, or a diffusers model folder.")
    Path file;

    @Option(names = "--json", description = "Print JSON (full metadata values) instead of text.")
    boolean json;

    private final CliContext context;

    InspectCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(file)) {
            throw new InvalidInputException("The file " + file + " does not exist. Give the path of a "
                    + ".safetensors checkpoint or LoRA file.");
        }
        Map<String, Object> report;
        try (CheckpointFiles checkpoint = CheckpointFiles.open(file)) {
            report = describe(checkpoint);
        }
        if (json) {
            context.out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            printText(report);
        }
        refuseUnusableCheckpoint(report);
        return 0;
    }

    /**
     * The report is printed either way, but a file laid out like a Stable Diffusion checkpoint
     * that no installed family accepts (tensors missing or misshapen, or a family that is not
     * installed) is an error: a pipeline could not use it, and a script should see that.
     */
    @SuppressWarnings("unchecked")
    private void refuseUnusableCheckpoint(Map<String, Object> report) {
        Map<String, Object> family = (Map<String, Object>) report.get("family");
        Map<String, Object> components = (Map<String, Object>) report.get("components");
        boolean checkpointLayout = CHECKPOINT_COMPONENTS.stream().anyMatch(components::containsKey);
        if (checkpointLayout && family.get("id") == null) {
            throw new InvalidInputException("The file " + file + " is laid out like a Stable Diffusion checkpoint, "
                    + "but Lathe cannot use it: " + family.get("note") + ". Check that the file is complete "
                    + "(re-download or re-export it), or install the model family it names.");
        }
    }

    private Map<String, Object> describe(CheckpointFiles checkpoint) {
        Map<String, TensorInfo> tensors = checkpoint.tensors();
        Map<String, long[]> byDtype = new TreeMap<>();
        Map<String, long[]> byComponent = new LinkedHashMap<>();
        long parameters = 0;
        for (TensorInfo t : tensors.values()) {
            long n = t.elementCount();
            parameters += n;
            long[] d = byDtype.computeIfAbsent(t.dtype().code(), k -> new long[3]);
            d[0]++;
            d[1] += n;
            d[2] += t.byteSize();
            long[] c = byComponent.computeIfAbsent(componentOf(t.name()), k -> new long[2]);
            c[0]++;
            c[1] += n;
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("file", checkpoint.path().toAbsolutePath().normalize().toString());
        report.put("sizeBytes", checkpoint.sizeBytes());
        report.put("tensorCount", tensors.size());
        report.put("parameterCount", parameters);
        Map<String, Object> dtypes = new LinkedHashMap<>();
        byDtype.forEach((k, v) -> dtypes.put(k, Map.of("tensors", v[0], "parameters", v[1], "bytes", v[2])));
        report.put("dtypes", dtypes);
        Map<String, Object> components = new LinkedHashMap<>();
        byComponent.forEach((k, v) -> components.put(k, Map.of("tensors", v[0], "parameters", v[1])));
        report.put("components", components);
        report.put("family", recognize(tensors, checkpoint.metadata()));
        report.put("metadata", checkpoint.metadata());
        return report;
    }

    /** Asks every installed model family; the first that recognizes the file answers. */
    private Map<String, Object> recognize(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        CheckpointRecognizer.Detection detection = CheckpointRecognizer.installed(context.catalog())
                .detect(file, tensors, metadata);
        Map<String, Object> out = new LinkedHashMap<>();
        if (detection.recognized()) {
            Recognition r = detection.recognition();
            out.put("id", r.family());
            out.put("variant", r.variant());
            out.put("architecture", r.architecture());
        } else {
            out.put("id", null);
            out.put("note", detection.note());
        }
        return out;
    }

    private static String componentOf(String name) {
        int slash = name.indexOf('/');
        if (slash > 0) {
            return name.substring(0, slash); // a diffusers folder's component
        }
        for (String prefix : COMPONENTS) {
            if (name.startsWith(prefix)) {
                return prefix.substring(0, prefix.length() - 1);
            }
        }
        int dot = name.indexOf('.');
        return dot > 0 ? name.substring(0, dot) : "(top level)";
    }

    @SuppressWarnings("unchecked")
    private void printText(Map<String, Object> r) {
        var out = context.out();
        out.printf("File:        %s (%s)%n", r.get("file"), Sizes.bytes((Long) r.get("sizeBytes")));
        out.printf("Tensors:     %,d%n", (Integer) r.get("tensorCount"));
        out.printf("Parameters:  %,d%n", (Long) r.get("parameterCount"));
        out.println("Dtypes:");
        ((Map<String, Map<String, Long>>) r.get("dtypes")).forEach((k, v) -> out.printf("  %-5s %,7d tensors %,15d parameters %10s%n",
                k, v.get("tensors"), v.get("parameters"), Sizes.bytes(v.get("bytes"))));
        out.println("Components:");
        ((Map<String, Map<String, Long>>) r.get("components")).forEach((k, v) -> out.printf("  %-26s %,7d tensors %,15d parameters%n",
                k, v.get("tensors"), v.get("parameters")));
        Map<String, Object> family = (Map<String, Object>) r.get("family");
        if (family.get("id") != null) {
            out.printf("Family:      %s (%s)%n", family.get("id"), family.get("variant"));
            ((Map<String, Object>) family.get("architecture")).forEach((k, v) -> out.printf("  %-24s %s%n", k, v));
        } else {
            out.printf("Family:      unknown: %s%n", family.get("note"));
        }
        Map<String, String> metadata = (Map<String, String>) r.get("metadata");
        out.printf("Metadata:    %d entr%s%n", metadata.size(), metadata.size() == 1 ? "y" : "ies");
        metadata.forEach((k, v) -> out.printf("  %s: %s%n", k, abbreviate(v)));
    }

    private static String abbreviate(String value) {
        String flat = value.replace('\n', ' ');
        return flat.length() <= TEXT_VALUE_LIMIT ? flat
                : flat.substring(0, TEXT_VALUE_LIMIT) + "... (" + flat.length() + " characters; --json shows all)";
    }

    static final class Sizes {
        private Sizes() {
        }

        static String bytes(long n) {
            if (n < 1024) {
                return n + " B";
            }
            String[] units = {"KiB", "MiB", "GiB", "TiB"};
            double v = n;
            int u = -1;
            while (v >= 1024 && u < units.length - 1) {
                v /= 1024;
                u++;
            }
            return String.format("%.1f %s", v, units[u]);
        }
    }
}
