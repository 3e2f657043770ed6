package org.example.lathe.sgd;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.OptimizerFactory;
import dev.lathe.api.optim.ParameterGroup;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * A third-party optimizer for Lathe in one bundle: a Declarative Services component that
 * registers an {@link OptimizerFactory} with the service property {@code id=sgd}. Drop the jar
 * into Lathe's {@code bundles/} folder and pipelines can say {@code "optimizer": "sgd"}.
 */
@Component(service = OptimizerFactory.class, property = "id=sgd")
public final class SgdFactory implements OptimizerFactory {

    @Override
    public String id() {
        return "sgd";
    }

    @Override
    public String description() {
        return "Stochastic gradient descent with momentum (example third-party plugin)";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.number("momentum", 0.0, "Momentum factor; 0 disables momentum").min(0).max(1),
                OptionSpec.number("dampening", 0.0, "Dampening of the momentum").min(0).max(1),
                OptionSpec.number("weightDecay", 0.0, "L2 penalty added to the gradient").min(0),
                OptionSpec.bool("nesterov", false, "Use Nesterov momentum (needs momentum > 0, dampening 0)"));
    }

    @Override
    public Optimizer create(List<ParameterGroup> groups, Options options) {
        for (ParameterGroup group : groups) {
            if (group.learningRate() == null) {
                throw new InvalidInputException("The sgd optimizer needs a learning rate for the parameter group \""
                        + group.name() + "\": set learningRate (or the group's own rate) in the train stage.");
            }
        }
        Sgd.Settings settings = new Sgd.Settings(options.getDouble("momentum"), options.getDouble("dampening"),
                options.getDouble("weightDecay"), options.getBoolean("nesterov"));
        if (settings.nesterov() && (settings.momentum() <= 0 || settings.dampening() != 0)) {
            throw new InvalidInputException("The sgd option nesterov=true needs momentum > 0 and dampening 0 "
                    + "(got momentum " + settings.momentum() + ", dampening " + settings.dampening() + ").");
        }
        return new Sgd(groups, settings);
    }
}
