package dev.lathe.sdxl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.Recognition;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.Tensor;
import dev.lathe.safetensors.TensorInfo;
import dev.lathe.testing.CheckpointRewrite;
import dev.lathe.testing.SharedFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recognition from the header alone, the inferred architecture as {@code lathe inspect} shows it,
 * and one clear error for foreign, incomplete and damaged checkpoints.
 */
class SdxlRecognitionTest {

    private final SdxlFamily family = new SdxlFamily();

    @TempDir
    Path temp;

    private static Map<String, TensorInfo> tinyHeader() throws IOException {
        return new LinkedHashMap<>(SafeTensorsFile.readHeader(Fixtures.tiny()));
    }

    @Test
    void tinyCheckpointIsSdxlWithItsArchitecture() throws IOException {
        Recognition r = family.recognize(tinyHeader(), SafeTensorsFile.readMetadata(Fixtures.tiny()));
        assertTrue(r.recognized(), r.reason());
        assertEquals("sdxl", r.family());
        assertEquals("SDXL base", r.variant());
        Map<String, Object> a = r.architecture();
        assertEquals("single file", a.get("layout"));
        assertEquals(java.util.List.of(0, 1, 2), a.get("unet.transformer_depth"));
        assertEquals(2, a.get("unet.middle_depth"));
        assertEquals("16 channels per head (metadata)", a.get("unet.heads"));
        assertEquals("80 (32 + 48)", a.get("unet.context_dim"));
        assertEquals("1600 (pooled 64 + 6 x 256 size embeddings)", a.get("unet.adm_in_channels"));
        assertEquals(32, a.get("te1.width"));
        assertEquals(3, a.get("te1.layers"));
        assertEquals(48, a.get("te2.width"));
        assertEquals(3, a.get("te2.layers"));
        assertEquals(4, a.get("te2.heads"));
        assertEquals("OpenCLIP (fused in_proj)", a.get("te2.layout"));
        assertEquals(0.13025f, a.get("vae.scale_factor"));
    }

    @Test
    void withoutMetadataTheSdxlConventionsApply() throws IOException {
        Recognition r = family.recognize(tinyHeader());
        assertTrue(r.recognized(), r.reason());
        assertEquals("64 channels per head (SDXL convention)", r.architecture().get("unet.heads"));
        assertEquals(1, r.architecture().get("te2.heads"), "64-channel heads, at least one");
        assertEquals("quick_gelu", r.architecture().get("te1.activation"));
        assertEquals("gelu", r.architecture().get("te2.activation"));
    }

    @Test
    void sd15CheckpointsGoToTheSd15Family() throws IOException {
        Path sd15 = SharedFolder.fixture("sd15/tiny.safetensors");
        Recognition r = family.recognize(SafeTensorsFile.readHeader(sd15));
        assertFalse(r.recognized());
        assertTrue(r.reason().contains("use family sd15"), r.reason());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SdxlModel.load(sd15, LoadOptions.cpuFloat32()));
        assertTrue(e.getMessage().contains(sd15.toString()) && e.getMessage().contains("\"sd15\""), e.getMessage());
    }

    @Test
    void foreignFilesAreNotRecognized() throws IOException {
        Map<String, TensorInfo> lora = SafeTensorsFile.readHeader(Fixtures.resource("lora_unet.safetensors"));
        assertFalse(family.recognize(lora).recognized());

        Map<String, TensorInfo> refiner = new LinkedHashMap<>();
        tinyHeader().forEach((name, info) -> {
            if (!name.startsWith("conditioner.embedders.0.")) {
                String renamed = name.replace("conditioner.embedders.1.", "conditioner.embedders.0.");
                refiner.put(renamed, info);
            }
        });
        Recognition r = family.recognize(refiner);
        assertFalse(r.recognized());
        assertTrue(r.reason().contains("refiner"), r.reason());

        Map<String, TensorInfo> noTextEncoder2 = tinyHeader();
        noTextEncoder2.keySet().removeIf(n -> n.startsWith("conditioner.embedders.1."));
        r = family.recognize(noTextEncoder2);
        assertFalse(r.recognized());
        assertTrue(r.reason().contains("text encoder 2 (conditioner.embedders.1.*)"), r.reason());
    }

    @Test
    void missingTensorsAreListedInTheFilesOwnNames() throws IOException {
        Map<String, TensorInfo> header = tinyHeader();
        header.remove("conditioner.embedders.1.model.transformer.resblocks.1.attn.in_proj_weight");
        header.remove("model.diffusion_model.output_blocks.2.1.transformer_blocks.0.attn2.to_k.weight");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> family.recognize(header));
        assertTrue(e.getMessage().contains("4 tensors are missing"), e.getMessage()); // q, k, v rows + to_k
        assertTrue(e.getMessage().contains("conditioner.embedders.1.model.transformer.resblocks.1.attn.in_proj_weight"),
                e.getMessage());
        assertTrue(e.getMessage().contains("model.diffusion_model.output_blocks.2.1.transformer_blocks.0.attn2.to_k.weight"),
                e.getMessage());
    }

    @Test
    void misshapenTensorsFailTheLoadWithOneParagraph() {
        Map<String, Tensor> tensors = CheckpointRewrite.read(Fixtures.tiny());
        String name = "model.diffusion_model.input_blocks.3.1.proj_out.weight";
        Tensor t = tensors.get(name);
        tensors.put(name, CheckpointRewrite.rows(t, 0, t.shape()[0] / 2));
        Path broken = temp.resolve("broken.safetensors");
        CheckpointRewrite.write(broken, tensors, CheckpointRewrite.metadata(Fixtures.tiny()));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> SdxlModel.load(broken, LoadOptions.cpuFloat32()));
        assertTrue(e.getMessage().startsWith(broken.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(name + " has shape [32, 64] where [64, 64] is expected"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one paragraph");
    }

    @Test
    void aMissingAnchorTensorIsNamed() throws IOException {
        Map<String, TensorInfo> header = tinyHeader();
        header.remove("conditioner.embedders.1.model.token_embedding.weight");
        Recognition r = family.recognize(header);
        assertFalse(r.recognized());
        assertTrue(r.reason().contains("conditioner.embedders.1.model.token_embedding.weight"), r.reason());
    }
}
