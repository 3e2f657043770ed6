package dev.lathe.lora;

/** The parts of a Stable Diffusion model a LoRA adapts, with the name prefix kohya-ss gives each. */
public enum ModelPart {
    /** The only text encoder of SD 1.x/2.x. */
    TEXT_ENCODER("lora_te"),
    /** SDXL's first text encoder (CLIP ViT-L). */
    TEXT_ENCODER_1("lora_te1"),
    /** SDXL's second text encoder (OpenCLIP ViT-bigG). */
    TEXT_ENCODER_2("lora_te2"),
    UNET("lora_unet");

    private final String prefix;

    ModelPart(String prefix) {
        this.prefix = prefix;
    }

    /** The LoRA name prefix: {@code lora_te}, {@code lora_te1}, {@code lora_te2}, {@code lora_unet}. */
    public String prefix() {
        return prefix;
    }

    public boolean isTextEncoder() {
        return this != UNET;
    }

    /** The LoRA module name of the layer at {@code path}: prefix + "_" + path with every dot an underscore. */
    public String loraName(String path) {
        return prefix + "_" + path.replace('.', '_');
    }
}
