package dev.lathe.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import dev.lathe.safetensors.SafeTensorsWriter;
import dev.lathe.safetensors.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFilesTest {

    @TempDir
    Path dir;

    private static void weights(Path file, String... names) throws IOException {
        Files.createDirectories(file.getParent());
        Map<String, Tensor> tensors = new java.util.LinkedHashMap<>();
        for (String name : names) {
            tensors.put(name, Tensor.ofFloats(new long[] {2}, new float[] {1, 2}));
        }
        SafeTensorsWriter.write(file, tensors, Map.of("made", "by the test"));
    }

    @Test
    void aSingleFileKeepsItsNamesAndMetadata() throws IOException {
        Path file = dir.resolve("model.safetensors");
        weights(file, "model.diffusion_model.out.2.weight", "first_stage_model.quant_conv.bias");
        try (CheckpointFiles checkpoint = CheckpointFiles.open(file)) {
            assertEquals(Set.of("model.diffusion_model.out.2.weight", "first_stage_model.quant_conv.bias"),
                    checkpoint.tensors().keySet());
            assertEquals(Map.of("made", "by the test"), checkpoint.metadata());
            assertEquals(Files.size(file), checkpoint.sizeBytes());
            assertFalse(checkpoint.isDiffusersFolder());
            assertEquals(file, checkpoint.path());
            assertEquals(2f, checkpoint.weights().tensor("first_stage_model.quant_conv.bias").toFloatArray()[1]);
        }
    }

    @Test
    void aDiffusersFolderPrefixesNamesWithTheComponentAndCollectsConfigs() throws IOException {
        weights(dir.resolve("unet/diffusion_pytorch_model.safetensors"), "conv_in.weight");
        Files.writeString(dir.resolve("unet/config.json"), "{\"sample_size\": 64}");
        // the plain file wins over the fp16 variant
        weights(dir.resolve("unet/diffusion_pytorch_model.fp16.safetensors"), "conv_in.fp16");
        weights(dir.resolve("vae/diffusion_pytorch_model.fp16.safetensors"), "decoder.conv_in.weight");
        weights(dir.resolve("text_encoder/model.safetensors"), "text_model.final_layer_norm.weight");
        weights(dir.resolve("text_encoder_2/model.safetensors"), "text_model.final_layer_norm.bias");
        weights(dir.resolve("safety_checker/model.safetensors"), "ignored.weight");
        try (CheckpointFiles checkpoint = CheckpointFiles.open(dir)) {
            assertEquals(Set.of("unet/conv_in.weight", "vae/decoder.conv_in.weight",
                    "text_encoder/text_model.final_layer_norm.weight", "text_encoder_2/text_model.final_layer_norm.bias"),
                    checkpoint.tensors().keySet());
            assertEquals(Map.of("unet/config.json", "{\"sample_size\": 64}"), checkpoint.metadata());
            assertTrue(checkpoint.isDiffusersFolder());
            long expected = 0;
            for (String f : List.of("unet/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.fp16.safetensors",
                    "text_encoder/model.safetensors", "text_encoder_2/model.safetensors")) {
                expected += Files.size(dir.resolve(f));
            }
            assertEquals(expected, checkpoint.sizeBytes());
            assertEquals(1f, checkpoint.weights().tensor("unet/conv_in.weight").toFloatArray()[0]);
        }
    }

    @Test
    void aFolderWithoutComponentsIsNotAModel() throws IOException {
        Files.createDirectories(dir.resolve("pictures"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CheckpointFiles.open(dir));
        assertTrue(e.getMessage().startsWith(dir + " is a folder but not a diffusers model"), e.getMessage());
    }

    @Test
    void pickleOnlyWeightsAreRefused() throws IOException {
        Files.createDirectories(dir.resolve("unet"));
        Files.write(dir.resolve("unet/diffusion_pytorch_model.bin"), new byte[] {(byte) 0x80, 0x02, '}', 'q', 0x00, '.'});
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CheckpointFiles.open(dir));
        assertTrue(e.getMessage().contains("pickle"), e.getMessage());
    }
}
