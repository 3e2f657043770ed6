package dev.lathe.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.lathe.nn.clip.ClipTextConfig;
import dev.lathe.nn.clip.ClipTextModel;
import dev.lathe.nn.clip.OpenClipKeys;
import dev.lathe.nn.unet.DiffusersUnetKeys;
import dev.lathe.nn.unet.UNetConfig;
import dev.lathe.nn.unet.UNetModel;
import dev.lathe.nn.vae.AutoencoderKL;
import dev.lathe.nn.vae.DiffusersVaeKeys;
import dev.lathe.nn.vae.VaeConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Name mappings over complete real-size key layouts (from {@link Weights#plan}): every LDM name
 * has a diffusers name, distinct, and maps back; known names as diffusers writes them.
 */
class KeyMapsTest {

    private static Map<String, long[]> plan(UNetConfig unet, VaeConfig vae, ClipTextConfig text) {
        Weights w = Weights.plan();
        if (unet != null) {
            UNetModel.load(w, unet);
        }
        if (vae != null) {
            AutoencoderKL.load(w, vae);
        }
        if (text != null) {
            ClipTextModel.load(w, text);
        }
        return w.requested();
    }

    @Test
    void unetNamesRoundTrip() {
        UNetConfig sdxl = new UNetConfig(4, 4, 320, List.of(1, 2, 4), 2, List.of(0, 2, 10), 10, -1, 64, 2048, true, 2816);
        for (UNetConfig config : List.of(UNetConfig.sd15(), sdxl)) {
            Map<String, long[]> keys = plan(config, null, null);
            Set<String> seen = new HashSet<>();
            boolean middle = config.middleTransformerDepth() > 0;
            for (String ldm : keys.keySet()) {
                String d = DiffusersUnetKeys.toDiffusers(ldm, config.numResBlocks(), middle);
                assertNotNull(d, ldm);
                assertEquals(true, seen.add(d), "distinct: " + d);
                int levels = config.levels();
                assertEquals(ldm, DiffusersUnetKeys.toLdm(d, config.numResBlocks(),
                        up -> config.transformerDepth().get(levels - 1 - up) > 0, middle), d);
            }
        }
        assertEquals("up_blocks.1.upsamplers.0.conv.weight",
                DiffusersUnetKeys.toDiffusers("output_blocks.5.2.conv.weight", 2, true));
        assertEquals("up_blocks.0.upsamplers.0.conv.weight",
                DiffusersUnetKeys.toDiffusers("output_blocks.2.1.conv.weight", 2, true));
        assertEquals("down_blocks.1.resnets.0.conv_shortcut.weight",
                DiffusersUnetKeys.toDiffusers("input_blocks.4.0.skip_connection.weight", 2, true));
        assertEquals("mid_block.attentions.0.transformer_blocks.0.attn2.to_out.0",
                DiffusersUnetKeys.toDiffusers("middle_block.1.transformer_blocks.0.attn2.to_out.0", 2, true));
        assertEquals("add_embedding.linear_2.bias", DiffusersUnetKeys.toDiffusers("label_emb.0.2.bias", 2, true));
    }

    @Test
    void vaeNamesRoundTrip() {
        Map<String, long[]> keys = plan(null, VaeConfig.sd(), null);
        Set<String> seen = new HashSet<>();
        for (String ldm : keys.keySet()) {
            String d = DiffusersVaeKeys.toDiffusers(ldm, 4);
            assertEquals(true, seen.add(d), "distinct: " + d);
            assertEquals(ldm, DiffusersVaeKeys.toLdm(d, 4), d);
        }
        assertEquals("decoder.up_blocks.0.upsamplers.0.conv.weight", DiffusersVaeKeys.toDiffusers("decoder.up.3.upsample.conv.weight", 4));
        assertEquals("encoder.mid_block.attentions.0.to_out.0.bias", DiffusersVaeKeys.toDiffusers("encoder.mid.attn_1.proj_out.bias", 4));
        assertEquals("decoder.mid.attn_1.q.weight", DiffusersVaeKeys.toLdm("decoder.mid_block.attentions.0.query.weight", 4));
        assertEquals("encoder.norm_out.weight", DiffusersVaeKeys.toLdm("encoder.conv_norm_out.weight", 4));
    }

    @Test
    void openClipNames() {
        Map<String, long[]> keys = plan(null, null, ClipTextConfig.vitL14());
        for (String hf : keys.keySet()) {
            assertNotNull(OpenClipKeys.toOpenClip(hf), hf);
        }
        assertEquals("transformer.resblocks.3.attn.in_proj_bias", OpenClipKeys.toOpenClip("encoder.layers.3.self_attn.v_proj.bias"));
        assertEquals("transformer.resblocks.0.mlp.c_proj.weight", OpenClipKeys.toOpenClip("encoder.layers.0.mlp.fc2.weight"));
        assertEquals("positional_embedding", OpenClipKeys.toOpenClip("embeddings.position_embedding.weight"));
    }

    @Test
    void realSizeParameterCounts() {
        long unet = plan(UNetConfig.sd15(), null, null).values().stream().mapToLong(KeyMapsTest::count).sum();
        assertEquals(859_520_964L, unet, "the SD 1.5 UNet");
        long text = plan(null, null, ClipTextConfig.vitL14()).values().stream().mapToLong(KeyMapsTest::count).sum();
        assertEquals(123_060_480L, text, "CLIP ViT-L/14 text");
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
