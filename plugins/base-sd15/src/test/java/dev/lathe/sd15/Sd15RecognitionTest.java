package dev.lathe.sd15;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.model.Recognition;
import dev.lathe.safetensors.SafeTensorsFile;
import dev.lathe.safetensors.TensorInfo;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code recognize()} makes of checkpoint headers: SD 1.x, SD 2.x, not SD at all. */
class Sd15RecognitionTest {

    private final Sd15Family family = new Sd15Family();

    @Test
    void theTinyFixtureIsSd1WithItsArchitecture() throws IOException {
        Recognition r = family.recognize(SafeTensorsFile.readHeader(Fixtures.tiny()), SafeTensorsFile.readMetadata(Fixtures.tiny()));
        assertTrue(r.recognized(), r.reason());
        assertEquals("sd15", r.family());
        assertEquals("SD 1.x", r.variant());
        Map<String, Object> a = r.architecture();
        assertEquals(List.of("variant", "layout", "prediction", "unet.in_channels", "unet.model_channels",
                "unet.channel_mult", "unet.num_res_blocks", "unet.transformer_depth", "unet.middle_depth", "unet.heads",
                "unet.projection", "unet.context_dim", "vae.ch", "vae.ch_mult", "vae.num_res_blocks", "vae.z_channels",
                "vae.scale_factor", "text.layout", "text.width", "text.layers", "text.heads", "text.activation",
                "text.default_clip_skip"), List.copyOf(a.keySet()), "ordered, readable keys");
        assertEquals("single file", a.get("layout"));
        assertEquals("epsilon", a.get("prediction"));
        assertEquals(32, a.get("unet.model_channels"));
        assertEquals(List.of(1, 2), a.get("unet.channel_mult"));
        assertEquals(1, a.get("unet.num_res_blocks"));
        assertEquals(List.of(1, 0), a.get("unet.transformer_depth"));
        assertEquals("2 heads (metadata)", a.get("unet.heads"));
        assertEquals("conv 1x1", a.get("unet.projection"));
        assertEquals(32, a.get("unet.context_dim"));
        assertEquals(List.of(1, 2), a.get("vae.ch_mult"));
        assertEquals(2, a.get("text.layers"));
        assertEquals(2, a.get("text.heads"));
        assertEquals("quick_gelu", a.get("text.activation"));
    }

    @Test
    void withoutMetadataTheSd1HeadCountIsAssumed() throws IOException {
        Recognition r = family.recognize(SafeTensorsFile.readHeader(Fixtures.tiny()));
        assertTrue(r.recognized(), r.reason());
        assertEquals("8 heads (SD 1.x convention)", r.architecture().get("unet.heads"));
    }

    @Test
    void realSd15ShapesGiveTheSd15Architecture() {
        Map<String, TensorInfo> sd15 = Headers.realSd15();
        Recognition r = family.recognize(sd15);
        assertTrue(r.recognized(), r.reason());
        Map<String, Object> a = r.architecture();
        assertEquals("SD 1.x", r.variant());
        assertEquals(4, a.get("unet.in_channels"));
        assertEquals(320, a.get("unet.model_channels"));
        assertEquals(List.of(1, 2, 4, 4), a.get("unet.channel_mult"));
        assertEquals(2, a.get("unet.num_res_blocks"));
        assertEquals(List.of(1, 1, 1, 0), a.get("unet.transformer_depth"));
        assertEquals(1, a.get("unet.middle_depth"));
        assertEquals("8 heads (SD 1.x convention)", a.get("unet.heads"));
        assertEquals(768, a.get("unet.context_dim"));
        assertEquals(128, a.get("vae.ch"));
        assertEquals(768, a.get("text.width"));
        assertEquals(12, a.get("text.layers"));
        assertEquals(12, a.get("text.heads"));
        assertEquals("quick_gelu", a.get("text.activation"));
        assertEquals(1, a.get("text.default_clip_skip"));
    }

    @Test
    void anOpenClipCheckpointIsSd2() {
        Recognition r = family.recognize(Headers.sd2Style(3));
        assertTrue(r.recognized(), r.reason());
        assertEquals("SD 2.x", r.variant());
        Map<String, Object> a = r.architecture();
        assertEquals("v", a.get("prediction"));
        assertEquals("linear", a.get("unet.projection"));
        assertEquals("64 channels per head (SD 2.x convention)", a.get("unet.heads"));
        assertEquals(1024, a.get("unet.context_dim"));
        assertEquals("OpenCLIP (fused in_proj)", a.get("text.layout"));
        assertEquals(1024, a.get("text.width"));
        assertEquals(3, a.get("text.layers"));
        assertEquals(16, a.get("text.heads"));
        assertEquals("gelu", a.get("text.activation"));
        assertEquals(2, a.get("text.default_clip_skip"));
    }

    @Test
    void foreignFilesAreNotRecognized() {
        Recognition r = family.recognize(Map.of());
        assertFalse(r.recognized());
        assertTrue(r.reason().contains("no Stable Diffusion UNet"), r.reason());
    }
}
