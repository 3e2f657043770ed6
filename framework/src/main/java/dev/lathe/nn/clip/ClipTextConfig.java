package dev.lathe.nn.clip;

/**
 * The architecture of a CLIP text transformer (HF {@code CLIPTextConfig} meanings).
 *
 * @param vocabSize    token embedding rows (49408)
 * @param width        hidden size (ViT-L/14: 768; OpenCLIP ViT-H: 1024; ViT-bigG: 1280)
 * @param layers       transformer layers (12; 24; 32)
 * @param heads        attention heads (12; 16; 20)
 * @param intermediate MLP width (4 × width)
 * @param maxPositions position embedding rows (77)
 * @param activation   MLP activation: quick GELU for OpenAI's ViT-L, exact GELU for OpenCLIP models
 * @param layerNormEps LayerNorm epsilon (1e-5)
 */
public record ClipTextConfig(int vocabSize, int width, int layers, int heads, int intermediate, int maxPositions,
                             Activation activation, float layerNormEps) {

    /** The MLP activation. */
    public enum Activation {
        /** {@code x·sigmoid(1.702·x)} (HF {@code quick_gelu}). */
        QUICK_GELU("quick_gelu"),
        /** exact (erf) GELU (HF {@code gelu}). */
        GELU("gelu");

        private final String hfName;

        Activation(String hfName) {
            this.hfName = hfName;
        }

        /** The name HF configs use. */
        public String hfName() {
            return hfName;
        }

        /** The activation an HF {@code hidden_act} names, or null for one this code does not implement. */
        public static Activation fromHfName(String name) {
            for (Activation a : values()) {
                if (a.hfName.equals(name)) {
                    return a;
                }
            }
            return null;
        }
    }

    public ClipTextConfig {
        if (width <= 0 || layers <= 0 || heads <= 0 || width % heads != 0) {
            throw new IllegalArgumentException("invalid CLIP text config: width " + width + ", layers " + layers
                    + ", heads " + heads);
        }
    }

    /** OpenAI CLIP ViT-L/14's text encoder, SD 1.x's (and SDXL's first). */
    public static ClipTextConfig vitL14() {
        return new ClipTextConfig(49408, 768, 12, 12, 3072, 77, Activation.QUICK_GELU, 1e-5f);
    }
}
