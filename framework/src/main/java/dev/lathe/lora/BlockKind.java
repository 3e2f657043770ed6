package dev.lathe.lora;

import java.util.List;

/**
 * The enclosing block of a layer, as kohya-ss tells its targets apart: kohya walks the model and
 * adapts every Linear and Conv2d inside modules of certain classes. This names those classes.
 */
public enum BlockKind {
    /** A transformer block container ({@code Transformer2DModel}, LDM {@code SpatialTransformer}). */
    TRANSFORMER("Transformer2DModel"),
    /** A ResNet block ({@code ResnetBlock2D}, LDM {@code ResBlock}). */
    RESNET("ResnetBlock2D"),
    /** A downsampler ({@code Downsample2D}). */
    DOWNSAMPLE("Downsample2D"),
    /** An upsampler ({@code Upsample2D}). */
    UPSAMPLE("Upsample2D"),
    /** A text encoder's self-attention ({@code CLIPAttention}). */
    TEXT_ATTENTION("CLIPAttention"),
    /** A text encoder's MLP ({@code CLIPMLP}). */
    TEXT_MLP("CLIPMLP"),
    /** Anything else: time and label embeddings, conv_in, conv_out, text projections. Never adapted. */
    OTHER("");

    /** Default LoRA targets in the text encoders. */
    static final List<BlockKind> TEXT_ENCODER_TARGETS = List.of(TEXT_ATTENTION, TEXT_MLP);
    /** Default LoRA targets in the UNet. */
    static final List<BlockKind> UNET_TARGETS = List.of(TRANSFORMER);
    /** UNet targets with a conv rank set (LoCon). */
    static final List<BlockKind> UNET_LOCON_TARGETS = List.of(TRANSFORMER, RESNET, DOWNSAMPLE, UPSAMPLE);

    private final String kohyaClass;

    BlockKind(String kohyaClass) {
        this.kohyaClass = kohyaClass;
    }

    /** The class name kohya's {@code networks/lora.py} matches, empty for {@link #OTHER}. */
    public String kohyaClass() {
        return kohyaClass;
    }
}
