package dev.lathe.lora;

/**
 * The layer classes a kohya LoRA adapts. The kind decides the LoRA's shapes and which rank it
 * gets: Linear layers and 1x1 convolutions use the network rank ({@code network_dim}), larger
 * convolutions the conv rank ({@code conv_dim}, LoCon) and are adapted only when that is set.
 */
public enum LayerKind {
    /** {@code nn.Linear}: down {@code [r, in]}, up {@code [out, r]}. */
    LINEAR("linear"),
    /** {@code nn.Conv2d} with a 1x1 kernel: down {@code [r, in, 1, 1]}, up {@code [out, r, 1, 1]}. */
    CONV_1X1("conv1x1"),
    /** {@code nn.Conv2d} with a larger (3x3) kernel: down {@code [r, in, k, k]}, up {@code [out, r, 1, 1]}. */
    CONV("conv");

    private final String label;

    LayerKind(String label) {
        this.label = label;
    }

    /** The name the fixtures' {@code kind} field uses: {@code linear}, {@code conv1x1}, {@code conv}. */
    public String label() {
        return label;
    }

    public boolean isConv() {
        return this != LINEAR;
    }

    /** Whether the network rank applies (else the conv rank). */
    public boolean usesNetworkRank() {
        return this != CONV;
    }
}
