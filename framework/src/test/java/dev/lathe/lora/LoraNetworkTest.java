package dev.lathe.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.optim.Parameter;
import dev.lathe.runtime.TensorRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraNetworkTest {

    @TempDir
    Path temp;

    private final List<ModuleTree> model = List.of(
            new ModuleTree(ModelPart.TEXT_ENCODER, List.of(
                    ModuleDescriptor.linear("text_model.encoder.layers.0.self_attn.k_proj", 16, 16),
                    ModuleDescriptor.linear("text_model.encoder.layers.0.mlp.fc1", 16, 64))),
            new ModuleTree(ModelPart.UNET, List.of(
                    ModuleDescriptor.conv("conv_in", 4, 8, 3, 1, 1),
                    ModuleDescriptor.conv("down_blocks.0.attentions.0.proj_in", 8, 8, 1, 1, 0),
                    ModuleDescriptor.linear("down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k", 16, 8),
                    ModuleDescriptor.conv("down_blocks.0.resnets.0.conv1", 8, 8, 3, 1, 1))));

    @Test
    void createsSavesAndLoadsTheSameNetwork() throws IOException {
        List<LoraModuleSpec> specs = KohyaTargets.select(model, LoraDims.of(4, 2).withConv(2, 1), Coverage.ALL);
        try (NDManager root = TensorRuntime.newManager(Device.cpu());
                LoraNetwork network = LoraNetwork.create(root, specs, 1, 1f, LoraDropout.none())) {
            assertEquals(List.of("lora_te_text_model_encoder_layers_0_self_attn_k_proj",
                    "lora_te_text_model_encoder_layers_0_mlp_fc1", "lora_unet_down_blocks_0_attentions_0_proj_in",
                    "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k",
                    "lora_unet_down_blocks_0_resnets_0_conv1"), network.modules().stream().map(LoraModule::name).toList());
            List<Parameter> unet = network.parameters(part -> !part.isTextEncoder());
            assertEquals(6, unet.size());
            assertEquals("lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight", unet.get(0).name());
            assertEquals(4, network.parameters(ModelPart::isTextEncoder).size());
            unet.forEach(p -> p.value().addi(root.ones(p.value().getShape())));

            Path file = temp.resolve("n.safetensors");
            network.save(file, SavePrecision.FP32, Map.of("ss_network_dim", "4"));
            try (LoraNetwork loaded = LoraNetwork.load(root, specs, LoraFile.read(file), 1f, LoraDropout.none())) {
                for (LoraModule module : network.modules()) {
                    LoraModule again = loaded.module(module.name()).orElseThrow();
                    assertArrayEquals(module.down().toFloatArray(), again.down().toFloatArray());
                    assertArrayEquals(module.up().toFloatArray(), again.up().toFloatArray());
                }
            }

            List<LoraModuleSpec> unetOnly = KohyaTargets.select(model, LoraDims.of(4, 2).withConv(2, 1),
                    Coverage.UNET_ONLY);
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> LoraNetwork.load(root, unetOnly, LoraFile.read(file), 1f, LoraDropout.none()));
            assertTrue(e.getMessage().contains("lora_te_text_model_encoder_layers_0_mlp_fc1"), e.getMessage());
        }
    }
}
