package dev.lathe.lora;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.nn.StoredRange;
import dev.lathe.pipeline.ProgressFactory;
import dev.lathe.runtime.NDArrays;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.DeferredTensor;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import dev.lathe.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a base checkpoint with kohya LoRAs merged into its weights, as kohya's merge scripts
 * and the UIs' "bake LoRA" do: a new single-file {@code .safetensors} checkpoint that renders
 * like the base with the LoRAs applied, and loads anywhere a checkpoint loads.
 *
 * <p><b>What changes.</b> Every weight a LoRA module adapts becomes
 * {@code W + Σ strength · alpha/rank · up @ down} over the LoRAs that adapt it
 * ({@link LoraModule#merge}), computed in float32 from the stored values and rounded once into
 * the tensor's own dtype (F32, F16 or BF16; to nearest, ties to even; BF16 in Java, as DJL's
 * BF16 support crashes the JVM).
 * Where the model presents a weight under another name or shape than the file stores it
 * ({@link DiffusionModel#storedAt}), the merged values go back into the stored tensor: for an
 * OpenCLIP text encoder (SDXL's second, SD 2.x's) q, k and v are rows of one fused
 * {@code in_proj_weight}, which is written whole with the adapted rows replaced. Every other
 * tensor is copied byte for byte; biases never change. The base's {@code __metadata__} is kept,
 * with a record of the merge added under {@link #PROVENANCE_KEY}.
 *
 * <p><b>Memory.</b> Tensors are read from the memory-mapped base and written in a stream
 * ({@link SafeTensorsWriter#writeDeferred}): unchanged tensors go from the mapping to the file,
 * and one merged tensor at a time is held in the heap, so a 7 GB SDXL checkpoint merges with a
 * small heap. The write is atomic: a temporary file renamed over the target.
 */
public final class CheckpointMerger {

    /**
     * The metadata entry recording what was merged: a JSON array with one object per LoRA,
     * {@code {"file": name, "sshs_model_hash": hex, "strength": number}}, in merge order. A
     * checkpoint merged again keeps the earlier entries first.
     */
    public static final String PROVENANCE_KEY = "lathe_merged_loras";

    private static final Set<DType> MERGEABLE = Set.of(DType.F32, DType.F16, DType.BF16);
    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointMerger() {
    }

    /**
     * What a merge wrote.
     *
     * @param checkpoint the file written
     * @param modules    LoRA modules merged (over all LoRAs)
     * @param tensors    stored tensors that changed
     * @param provenance the {@link #PROVENANCE_KEY} entry written
     */
    public record Merged(Path checkpoint, int modules, int tensors, String provenance) {
    }

    /** One LoRA module's part in a merged weight. */
    private record Contribution(LoraWeights weights, LoraModuleSpec spec, float strength) {
    }

    /**
     * What to change: per stored tensor, per range of it (a weight), the modules that adapt it;
     * the merge record; the number of modules.
     */
    private record Plan(Map<String, Map<StoredRange, List<Contribution>>> changes, String provenance, int modules) {
    }

    /**
     * Merges {@code loras} into the checkpoint {@code model} was loaded from and writes the result
     * to {@code target} (its folder is created if needed).
     *
     * @param model    the base checkpoint, loaded (its layers bind the LoRA modules to weights)
     * @param loras    the LoRA files with their strengths, at least one; merged in this order
     * @param target   the {@code .safetensors} file to write; not the base checkpoint itself
     * @param progress reports the bytes written
     * @throws InvalidInputException for a diffusers folder as base, a target that is the base or
     *     not a {@code .safetensors} name, a missing or malformed LoRA file, a LoRA for another
     *     architecture or with modules the model has no layer for (named), or weights stored in a
     *     dtype other than F32, F16 or BF16
     * @throws IOException when reading or writing fails; {@code target} is then unchanged
     */
    public static Merged merge(DiffusionModel model, List<LoraToMerge> loras, Path target, ProgressFactory progress)
            throws IOException {
        Path base = model.source();
        checkPaths(base, target);
        if (loras.isEmpty()) {
            throw new InvalidInputException("No LoRA to merge into " + base + ": name at least one LoRA file.");
        }
        Plan plan = plan(model, loras);
        try (SafeTensorsFile file = SafeTensorsFile.open(base);
                NDManager manager = TensorRuntime.newManager(Device.cpu());
                Progress bytes = progress.start("merge into " + target.getFileName(), file.fileSize() - file.dataOffset())) {
            checkDtypes(file, plan.changes().keySet());
            Map<String, DeferredTensor> tensors = new LinkedHashMap<>();
            for (TensorInfo info : file.tensors().values()) {
                String name = info.name();
                Map<StoredRange, List<Contribution>> change = plan.changes().get(name);
                tensors.put(name, new DeferredTensor(info.dtype(), info.shape(), () -> {
                    bytes.advance(info.byteSize());
                    return change == null ? file.tensor(name) : merged(file.tensor(name), change, manager);
                }));
            }
            Map<String, String> metadata = new LinkedHashMap<>(file.metadata());
            metadata.put(PROVENANCE_KEY, plan.provenance());
            Path folder = target.toAbsolutePath().getParent();
            if (folder != null) {
                Files.createDirectories(folder);
            }
            SafeTensorsWriter.writeDeferred(target, tensors, metadata);
        }
        return new Merged(target, plan.modules(), plan.changes().size(), plan.provenance());
    }

    /** Reads every LoRA, binds its modules to the model's weights and finds where those are stored. */
    private static Plan plan(DiffusionModel model, List<LoraToMerge> loras) throws IOException {
        Map<String, Map<StoredRange, List<Contribution>>> changes = new LinkedHashMap<>();
        ArrayNode provenance = previousProvenance(model.source());
        int modules = 0;
        for (LoraToMerge lora : loras) {
            LoraFileContents contents = LoraFile.read(lora.file());
            for (ModelLoras.Bound bound : ModelLoras.forFile(model, contents)) {
                String key = bound.layer().name() + ".weight";
                StoredRange range = model.storedAt(key);
                if (range == null) {
                    throw new IllegalStateException("the " + model.family() + " model binds " + bound.spec().name()
                            + " to " + key + " but cannot say where that weight is stored");
                }
                changes.computeIfAbsent(range.tensor(), t -> new LinkedHashMap<>())
                        .computeIfAbsent(range, r -> new ArrayList<>())
                        .add(new Contribution(contents.module(bound.spec().name()), bound.spec(), (float) lora.strength()));
                modules++;
            }
            ObjectNode entry = provenance.addObject();
            entry.put("file", lora.file().getFileName().toString());
            entry.put("sshs_model_hash", modelHash(lora.file(), contents));
            entry.put("strength", lora.strength());
        }
        return new Plan(changes, JSON.writeValueAsString(provenance), modules);
    }

    /**
     * {@code stored} with every range of {@code change} replaced by its merged weight: the range's
     * values as float32 (straight from the mapping into libtorch), each contribution merged in
     * turn, rounded back to the stored dtype (BF16 in Java). A weight that is the whole tensor
     * becomes the result as it is; ranges of a fused tensor are written into a copy of it.
     */
    private static Tensor merged(Tensor stored, Map<StoredRange, List<Contribution>> change, NDManager root) {
        try (NDManager scratch = root.newSubManager()) {
            if (change.size() == 1) {
                Map.Entry<StoredRange, List<Contribution>> only = change.entrySet().iterator().next();
                if (only.getKey().isWhole(stored.byteSize())) {
                    Tensor weight = mergedWeight(stored, only.getKey(), only.getValue(), scratch);
                    return Tensor.of(stored.dtype(), stored.shape(), weight.data());
                }
            }
            ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(stored.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
            out.put(stored.data()).flip();
            change.forEach((range, contributions) -> out.put(Math.toIntExact(range.byteOffset()),
                    mergedWeight(stored, range, contributions, scratch).data(), 0, Math.toIntExact(range.byteLength())));
            return Tensor.of(stored.dtype(), stored.shape(), out);
        }
    }

    /** The weight at {@code range} of {@code stored} with {@code contributions} merged, in the stored dtype. */
    private static Tensor mergedWeight(Tensor stored, StoredRange range, List<Contribution> contributions,
            NDManager scratch) {
        long[] shape = contributions.get(0).spec().layer().weightShape();
        Tensor original = Tensor.of(stored.dtype(), shape, stored.data().slice(Math.toIntExact(range.byteOffset()),
                Math.toIntExact(range.byteLength())));
        NDArray weight = NDArrays.fromTensor(scratch, original, DataType.FLOAT32);
        for (Contribution c : contributions) {
            LoraModule module = c.weights().toModule(scratch, c.spec(), 1f, LoraDropout.none());
            weight = module.merge(weight, c.strength());
        }
        return NDArrays.toTensor(weight, stored.dtype());
    }

    private static void checkPaths(Path base, Path target) throws IOException {
        if (Files.isDirectory(base)) {
            throw new InvalidInputException("The checkpoint " + base + " is a diffusers folder; merging writes a single-"
                    + "file .safetensors checkpoint and needs one as its base. Give the single-file version of the model "
                    + "(most models on Hugging Face and Civitai offer one), or convert the folder to a single file first.");
        }
        String name = target.getFileName() == null ? "" : target.getFileName().toString();
        if (!name.toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            throw new InvalidInputException("The merged checkpoint " + target + " must be a .safetensors file name "
                    + "(AUTOMATIC1111, ComfyUI and diffusers tell the format by the extension): for example "
                    + "merged.safetensors.");
        }
        if (Files.isDirectory(target)) {
            throw new InvalidInputException("The merged checkpoint " + target + " is an existing folder; give a file name "
                    + "such as " + target.resolve("merged.safetensors") + ".");
        }
        if (Files.exists(target) && Files.isSameFile(base, target)) {
            throw new InvalidInputException("The merged checkpoint " + target + " is the base checkpoint itself; merging "
                    + "never overwrites its base. Give another file name.");
        }
    }

    private static void checkDtypes(SafeTensorsFile file, Set<String> changed) {
        List<String> refused = new ArrayList<>();
        for (String name : changed) {
            TensorInfo info = file.info(name);
            if (!MERGEABLE.contains(info.dtype())) {
                refused.add(name + " (" + info.dtype() + ")");
            }
        }
        if (!refused.isEmpty()) {
            throw new InvalidInputException("The checkpoint " + file.path() + " stores weights the LoRAs adapt in a type "
                    + "Lathe does not merge into: " + String.join(", ", refused.subList(0, Math.min(5, refused.size())))
                    + (refused.size() > 5 ? " and " + (refused.size() - 5) + " more" : "") + ". Merging writes F32, F16 "
                    + "and BF16 weights; convert the checkpoint to one of them first.");
        }
    }

    /** The LoRA's {@code sshs_model_hash}, computed from its data section when its metadata has none. */
    private static String modelHash(Path file, LoraFileContents contents) throws IOException {
        String stored = contents.metadata().get(KohyaHashes.MODEL_HASH_KEY);
        return stored != null && !stored.isBlank() ? stored : SafeTensorsWriter.fileDataSha256(file);
    }

    /** The base's own merge record (it was merged before), else an empty one. */
    private static ArrayNode previousProvenance(Path base) throws IOException {
        String previous = SafeTensorsFile.readMetadata(base).get(PROVENANCE_KEY);
        if (previous != null) {
            try {
                JsonNode node = JSON.readTree(previous);
                if (node instanceof ArrayNode array) {
                    return array;
                }
            } catch (IOException e) {
                // not ours after all: it is replaced by this merge's record
            }
        }
        return JSON.createArrayNode();
    }
}
