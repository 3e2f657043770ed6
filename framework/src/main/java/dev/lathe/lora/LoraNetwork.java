package dev.lathe.lora;

import ai.djl.ndarray.NDManager;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.optim.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The modules of one LoRA, in kohya's creation order, with their arrays in a manager of their own.
 * A model applies {@link #module(String)} beside each adapted layer; an optimizer updates {@link
 * #parameters}; {@link #save} writes the kohya file. Close it to free the arrays.
 */
public final class LoraNetwork implements AutoCloseable {

    private final NDManager manager;
    private final Map<String, LoraModule> modules;

    private LoraNetwork(NDManager manager, List<LoraModule> modules) {
        this.manager = manager;
        Map<String, LoraModule> byName = new LinkedHashMap<>();
        modules.forEach(m -> byName.put(m.name(), m));
        this.modules = Collections.unmodifiableMap(byName);
    }

    /** A new network for {@code specs} (from {@link KohyaTargets#select}), initialized as kohya does from {@code seed}. */
    public static LoraNetwork create(NDManager parent, List<LoraModuleSpec> specs, long seed, float multiplier,
            LoraDropout dropout) {
        NDManager manager = parent.newSubManager();
        List<LoraModule> modules = new ArrayList<>();
        for (LoraModuleSpec spec : specs) {
            modules.add(LoraModule.initialize(manager, spec, seed, multiplier, dropout));
        }
        return new LoraNetwork(manager, modules);
    }

    /**
     * The network for {@code specs} with the weights of a LoRA file, e.g. to continue training
     * it. The file must hold exactly these modules with these shapes; its alphas are used.
     *
     * @throws InvalidInputException naming the modules the file lacks or has in excess, or whose
     *     shapes differ (a LoRA made for another model, rank or set of targets)
     */
    public static LoraNetwork load(NDManager parent, List<LoraModuleSpec> specs, LoraFileContents file,
            float multiplier, LoraDropout dropout) {
        List<String> missing = new ArrayList<>();
        List<String> misshapen = new ArrayList<>();
        List<String> extra = new ArrayList<>(file.modules().keySet());
        for (LoraModuleSpec spec : specs) {
            LoraWeights weights = file.modules().get(spec.name());
            extra.remove(spec.name());
            if (weights == null) {
                missing.add(spec.name());
            } else if (!Arrays.equals(weights.down().shape(), spec.downShape())
                    || !Arrays.equals(weights.up().shape(), spec.upShape())) {
                misshapen.add(spec.name() + " (rank " + weights.rank() + ", expected " + spec.rank() + ")");
            }
        }
        if (!missing.isEmpty() || !extra.isEmpty() || !misshapen.isEmpty()) {
            throw new InvalidInputException(file.file() + " does not fit this network: "
                    + problem("missing modules", missing) + problem("modules this network does not have", extra)
                    + problem("modules of another shape", misshapen)
                    + "Use the same base model family, rank, conv rank and targets (UNet / text encoder) as the run "
                    + "that wrote it.");
        }
        NDManager manager = parent.newSubManager();
        List<LoraModule> modules = new ArrayList<>();
        for (LoraModuleSpec spec : specs) {
            modules.add(file.modules().get(spec.name()).toModule(manager, spec, multiplier, dropout));
        }
        return new LoraNetwork(manager, modules);
    }

    /** Every module, in creation order. */
    public List<LoraModule> modules() {
        return List.copyOf(modules.values());
    }

    /** The module named {@code name}, if the network adapts that layer. */
    public Optional<LoraModule> module(String name) {
        return Optional.ofNullable(modules.get(name));
    }

    /**
     * The trainable arrays of the modules whose part matches, named by their file keys
     * ({@code <name>.lora_down.weight}, {@code <name>.lora_up.weight}), in kohya's order. Use
     * {@code ModelPart::isTextEncoder} and its negation for the two learning-rate groups.
     */
    public List<Parameter> parameters(Predicate<ModelPart> parts) {
        List<Parameter> parameters = new ArrayList<>();
        for (LoraModule module : modules.values()) {
            if (parts.test(module.spec().part())) {
                parameters.add(new Parameter(module.name() + LoraFile.DOWN, module.down()));
                parameters.add(new Parameter(module.name() + LoraFile.UP, module.up()));
            }
        }
        return parameters;
    }

    public void setMultiplier(float multiplier) {
        modules.values().forEach(m -> m.setMultiplier(multiplier));
    }

    /** Heap copies of every module's weights, ready for {@link LoraFile#write}. */
    public List<LoraWeights> weights() {
        return modules.values().stream().map(LoraWeights::of).toList();
    }

    /** Writes the network as a kohya LoRA file; see {@link LoraFile#write}. */
    public KohyaHashes save(Path target, SavePrecision precision, Map<String, String> metadata) throws IOException {
        return LoraFile.write(target, weights(), precision, metadata);
    }

    @Override
    public void close() {
        manager.close();
    }

    private static String problem(String what, List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        String shown = String.join(", ", names.subList(0, Math.min(10, names.size())));
        return names.size() + " " + what + " (" + shown + (names.size() > 10 ? ", ..." : "") + "). ";
    }
}
