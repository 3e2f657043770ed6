package dev.lathe.sd15;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.LoraScope;
import dev.lathe.lora.CheckpointMerger;
import dev.lathe.lora.LoraAttachment;
import dev.lathe.lora.LoraDims;
import dev.lathe.lora.LoraDropout;
import dev.lathe.lora.LoraFile;
import dev.lathe.lora.LoraFileContents;
import dev.lathe.lora.LoraModuleSpec;
import dev.lathe.lora.LoraNetwork;
import dev.lathe.lora.LoraToMerge;
import dev.lathe.lora.LoraWeights;
import dev.lathe.lora.ModelLoras;
import dev.lathe.lora.SavePrecision;
import dev.lathe.pipeline.ProgressFactory;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.Tensor;
import dev.lathe.testing.TensorAsserts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CheckpointMerger} writes merged weights back in the file's own layout, and the merged
 * file computes what the LoRA applied at run time computes: SD 2.x's OpenCLIP text encoder (q, k,
 * v are rows of the fused {@code in_proj_weight}), and transformer projections stored as Linear
 * weights where the model sees 1x1 convolutions.
 */
class Sd15MergeLayoutsTest {

    private static final String OPEN_CLIP = "cond_stage_model.model.transformer.resblocks.";

    @TempDir
    Path temp;

    /** The text encoder's last hidden state and the UNet's eps for the fixture inputs. */
    private static Map<String, float[]> outputs(Sd15Model model) {
        Map<String, Tensor> text = Fixtures.tensors("text_encoder_io.safetensors");
        Map<String, Tensor> unet = Fixtures.tensors("unet_io.safetensors");
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = TensorRuntime.newManager(Device.cpu()); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            out.put("text", Fixtures.floats(model.textEncoder().encode(Fixtures.array(m, text.get("input_ids")), 1)));
            out.put("eps", Fixtures.floats(model.unet().forward(Fixtures.array(m, unet.get("x")),
                    Fixtures.array(m, unet.get("timesteps")), Fixtures.array(m, unet.get("context")))));
        }
        return out;
    }

    /** A LoRA of rank 4 with random (non-zero) weights on every default target of {@code model}. */
    private static Path randomLora(Sd15Model model, Path file) throws IOException {
        SplittableRandom random = new SplittableRandom(5);
        List<LoraWeights> modules = new ArrayList<>();
        for (ModelLoras.Bound b : ModelLoras.forTargets(model, LoraScope.defaults(), LoraDims.of(4, 2f))) {
            LoraModuleSpec spec = b.spec();
            modules.add(new LoraWeights(spec.name(), uniform(spec.downShape(), 0.3, random),
                    uniform(spec.upShape(), 0.1, random), spec.alpha()));
        }
        LoraFile.write(file, modules, SavePrecision.FP32, Map.of("ss_base_model_version", "sd_v2"));
        return file;
    }

    private static Tensor uniform(long[] shape, double bound, SplittableRandom random) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
        return Tensor.ofFloats(shape, values);
    }

    /**
     * Applies a random LoRA on every default target at run time, merges it into {@code base} at the
     * same strength, and checks that the merged file computes the same; returns the merged file.
     */
    private Path mergedMatchesRunTime(Path base, int expectedStoredTensors) throws IOException {
        Path merged = temp.resolve("merged-" + base.getFileName());
        Map<String, float[]> applied;
        try (Sd15Model model = Sd15Model.load(base, LoadOptions.cpuFloat32());
                NDManager manager = TensorRuntime.newManager(Device.cpu())) {
            LoraFileContents lora = LoraFile.read(randomLora(model, temp.resolve("lora-" + base.getFileName())));
            List<ModelLoras.Bound> binding = ModelLoras.forFile(model, lora);
            try (LoraNetwork network = LoraNetwork.load(manager, binding.stream().map(ModelLoras.Bound::spec).toList(), lora,
                    0.7f, LoraDropout.none());
                    LoraAttachment attachment = LoraAttachment.attach(network, binding, null)) {
                applied = outputs(model);
            }
            CheckpointMerger.Merged result = CheckpointMerger.merge(model, List.of(new LoraToMerge(lora.file(), 0.7)), merged,
                    ProgressFactory.silent());
            assertEquals(binding.size(), result.modules());
            assertEquals(expectedStoredTensors, result.tensors());
        }
        try (Sd15Model model = Sd15Model.load(merged, LoadOptions.cpuFloat32())) {
            Map<String, float[]> fromMerged = outputs(model);
            for (Map.Entry<String, float[]> e : applied.entrySet()) {
                double error = TensorAsserts.relativeMaxError(fromMerged.get(e.getKey()), e.getValue());
                assertTrue(error < 2e-6, e.getKey() + ": merged weights differ from run-time application by " + error
                        + " of max|output|");
            }
        }
        assertEquals(Fixtures.tensors(base).keySet(), Fixtures.tensors(merged).keySet(), "the file keeps its layout");
        return merged;
    }

    /**
     * 48 UNet modules (attention and feed-forward of 4 transformers, each its own tensor) and 12
     * text-encoder modules, whose q, k and v share one tensor per layer.
     */
    @Test
    void aLoraMergesIntoTheFusedRowsOfTheOpenClipLayout() throws IOException {
        Path base = Sd15LayoutVariantsTest.openClipVariant(temp.resolve("sd2.safetensors"));
        Path merged = mergedMatchesRunTime(base, 48 + 12 - 2 * 2);
        Map<String, Tensor> before = Fixtures.tensors(base);
        Map<String, Tensor> after = Fixtures.tensors(merged);
        for (int l = 0; l < 2; l++) {
            String block = OPEN_CLIP + l + ".attn.";
            assertTrue(before.get(block + "in_proj_bias").contentEquals(after.get(block + "in_proj_bias")));
            assertArrayEquals(before.get(block + "in_proj_weight").shape(), after.get(block + "in_proj_weight").shape());
            assertFalse(before.get(block + "in_proj_weight").contentEquals(after.get(block + "in_proj_weight")));
        }
    }

    /** The model sees proj_in/proj_out as 1x1 convolutions; the file stores them 2-D, and still does after merging. */
    @Test
    void aLoraMergesIntoProjectionsStoredAsLinearWeights() throws IOException {
        Path base = Sd15LayoutVariantsTest.linearProjectionVariant(temp.resolve("linear.safetensors"));
        Path merged = mergedMatchesRunTime(base, 48 + 12);
        String projIn = "model.diffusion_model.input_blocks.1.1.proj_in.weight";
        Tensor before = Fixtures.tensors(base).get(projIn);
        Tensor after = Fixtures.tensors(merged).get(projIn);
        assertArrayEquals(before.shape(), after.shape());
        assertEquals(2, after.shape().length);
        assertFalse(before.contentEquals(after));
    }
}
