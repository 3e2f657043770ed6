package dev.lathe.api.optim;

import dev.lathe.api.InvalidInputException;
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

    /**
     * The learning rate, for an optimizer that cannot work without one.
     *
     * @param optimizerId the optimizer asking, named in the error
     * @throws InvalidInputException when the group has none, or it is negative or not finite
     */
    public double requireLearningRate(String optimizerId) {
        if (learningRate == null) {
            throw new InvalidInputException("The " + optimizerId + " optimizer needs a learning rate, but the "
                    + "parameter group \"" + name + "\" has none: set a learning rate for it in the training stage "
                    + "of the config.");
        }
        if (!(learningRate >= 0) || learningRate.isInfinite()) {
            throw new InvalidInputException("The learning rate of parameter group \"" + name + "\" is " + learningRate
                    + "; it must be a finite number of at least 0.");
        }
        return learningRate;
    }
}
