package dev.lathe.api.optim;

import dev.lathe.api.Options;
import dev.lathe.api.Plugin;
import java.util.List;

/**
 * Creates optimizers of one kind ({@code adamw}, {@code adafactor}, ...). Registered as an OSGi
 * service with the {@code id} property; the trainer never names a concrete optimizer.
 */
public interface OptimizerFactory extends Plugin {

    /**
     * Creates an optimizer over {@code groups}.
     *
     * @param groups  parameter groups in a fixed order (e.g. UNet, then text encoder), each with
     *                its own learning rate or none
     * @param options this optimizer's options, normally validated by the config reader against
     *                {@link #options()}; implementations still refuse names they do not declare
     *                and fill in absent defaults ({@link dev.lathe.config.PluginOptions#complete}),
     *                since code can call them with hand-made options
     * @throws dev.lathe.api.InvalidInputException when an option is unknown or out of range, or the
     *         options and groups do not fit together, e.g. a group without a learning rate for an
     *         optimizer that needs one
     */
    Optimizer create(List<ParameterGroup> groups, Options options);
}
