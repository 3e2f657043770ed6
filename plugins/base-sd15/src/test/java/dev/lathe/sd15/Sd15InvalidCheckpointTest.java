package dev.lathe.sd15;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.Recognition;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken and foreign checkpoints give one clear paragraph naming the file and what is wrong. */
class Sd15InvalidCheckpointTest {

    @TempDir
    Path temp;

    private Path tinyWith(String name, java.util.function.UnaryOperator<Map<String, Tensor>> change) {
        Map<String, Tensor> tensors = new LinkedHashMap<>(Fixtures.tensors(Fixtures.tiny()));
        Path file = temp.resolve(name);
        Rewrite.write(file, change.apply(tensors), Fixtures.metadata(Fixtures.tiny()));
        return file;
    }

    @Test
    void aMissingTensorIsNamed() {
        String removed = "model.diffusion_model.output_blocks.2.1.transformer_blocks.0.attn1.to_v.weight";
        Path file = tinyWith("missing.safetensors", t -> {
            t.remove(removed);
            return t;
        });
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Sd15Model.load(file, LoadOptions.cpuFloat32()));
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString()), m);
        assertTrue(m.contains("1 tensor is missing or of the wrong shape"), m);
        assertTrue(m.contains("missing " + removed + " [32, 32]"), m);
        assertFalse(m.contains("\n"), "one paragraph: " + m);
        InvalidInputException fromHeader = assertThrows(InvalidInputException.class,
                () -> new Sd15Family().recognize(header(file)), "lathe inspect reads headers only, and refuses too");
        assertTrue(fromHeader.getMessage().contains("missing " + removed), fromHeader.getMessage());
    }

    @Test
    void aMisshapenTensorIsNamedWithBothShapes() {
        String changed = "first_stage_model.decoder.up.1.block.0.conv2.weight";
        Path file = tinyWith("misshapen.safetensors", t -> {
            t.put(changed, Rewrite.firstRows(t.get(changed), 32));
            return t;
        });
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Sd15Model.load(file, LoadOptions.cpuFloat32()));
        assertTrue(e.getMessage().contains(changed + " has shape [32, 64, 3, 3] where [64, 64, 3, 3] is expected"),
                e.getMessage());
        assertThrows(InvalidInputException.class, () -> new Sd15Family().recognize(header(file)));
    }

    @Test
    void manyProblemsAreListedTenAndCounted() {
        Path file = tinyWith("gutted.safetensors", t -> {
            t.keySet().removeIf(k -> k.contains(".transformer_blocks.0.attn2.to_out.") || k.contains(".ff.net.2.")
                    || (k.contains("encoder.layers.1.") && !k.contains("fc1")));
            return t;
        });
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Sd15Model.load(file, LoadOptions.cpuFloat32()));
        assertTrue(e.getMessage().contains("30 tensors are missing"), e.getMessage());
        assertTrue(e.getMessage().contains("; and 20 more"), e.getMessage());
    }

    @Test
    void anSdxlCheckpointIsSentToTheSdxlFamily() throws IOException {
        Path sdxl = Fixtures.shared("sdxl/tiny.safetensors");
        Recognition r = new Sd15Family().recognize(SafeTensorsFile.readHeader(sdxl), SafeTensorsFile.readMetadata(sdxl));
        assertFalse(r.recognized());
        assertTrue(r.reason().contains("use family sdxl"), r.reason());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Sd15Model.load(sdxl, LoadOptions.cpuFloat32()));
        assertTrue(e.getMessage().contains("SDXL checkpoint") && e.getMessage().contains("\"sdxl\""), e.getMessage());
    }

    @Test
    void aLoraIsNotACheckpoint() {
        Path lora = temp.resolve("lora.safetensors");
        Rewrite.write(lora, Map.of("lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight",
                Tensor.ofFloats(new long[] {4, 32, 1, 1}, new float[128]),
                "lora_unet_down_blocks_0_attentions_0_proj_in.alpha", Tensor.scalar(2f)), Map.of());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Sd15Model.load(lora, LoadOptions.cpuFloat32()));
        assertTrue(e.getMessage().contains("has no UNet"), e.getMessage());
    }

    @Test
    void aVaeOnlyFileSaysWhatIsMissing() {
        Path vae = tinyWith("vae-only.safetensors", t -> {
            t.keySet().removeIf(k -> !k.startsWith("first_stage_model."));
            return t;
        });
        assertFalse(new Sd15Family().recognize(header(vae)).recognized());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Sd15Model.load(vae, LoadOptions.cpuFloat32()));
        assertTrue(e.getMessage().contains("no UNet (model.diffusion_model.*), no text encoder"), e.getMessage());
    }

    @Test
    void float16OnTheCpuIsRefused() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Sd15Model.load(Fixtures.tiny(), new LoadOptions("cpu", "float16")));
        assertTrue(e.getMessage().contains("GPU"), e.getMessage());
    }

    private static Map<String, dev.lathe.safetensors.TensorInfo> header(Path file) {
        try {
            return SafeTensorsFile.readHeader(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
