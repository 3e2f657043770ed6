package dev.lathe.lora;

/** Which model parts a LoRA adapts (kohya {@code --network_train_unet_only} / {@code --network_train_text_encoder_only}). */
public enum Coverage {
    ALL,
    UNET_ONLY,
    TEXT_ENCODER_ONLY;

    public boolean covers(ModelPart part) {
        return switch (this) {
            case ALL -> true;
            case UNET_ONLY -> part == ModelPart.UNET;
            case TEXT_ENCODER_ONLY -> part.isTextEncoder();
        };
    }
}
