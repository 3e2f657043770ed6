package dev.lathe.api.optim;

import java.util.List;
import java.util.Objects;

/**
 * Parameters that share a learning rate, e.g. the UNet's LoRA and the text encoder's LoRA.
 *
 * @param name         {@code unet}, {@code text_encoder}, ...; used in logs and saved state
 * @param parameters   the tensors, in a fixed order
 * @param learningRate the initial learning rate, or {@code null} when the optimizer supplies its
 *                     own (Adafactor in relative-step mode)
 */
public record ParameterGroup(String name, List<Parameter> parameters, Double learningRate) {
    public ParameterGroup {
        Objects.requireNonNull(name, "name");
        parameters = List.copyOf(parameters);
    }
}
