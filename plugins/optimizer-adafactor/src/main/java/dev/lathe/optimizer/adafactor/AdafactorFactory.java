package dev.lathe.optimizer.adafactor;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.config.PluginOptions;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.OptimizerFactory;
import dev.lathe.api.optim.ParameterGroup;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * Adafactor as transformers' {@code Adafactor} computes it, which is what kohya-ss runs for
 * {@code --optimizer_type adafactor}. Its relative-step mode needs no learning rate at all.
 */
@Component(service = OptimizerFactory.class, property = "id=" + AdafactorFactory.ID)
public final class AdafactorFactory implements OptimizerFactory {

    static final String ID = "adafactor";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Adafactor (transformers): factored second moment, update clipping; by default its own "
                + "relative-step learning rate, so none needs to be set";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.bool("relativeStep", true, "Compute the learning rate from the step count, "
                        + "min(1e-2, 1/sqrt(step)), instead of using the configured one"),
                OptionSpec.bool("scaleParameter", true, "Scale the learning rate by the parameter's RMS (at least eps[1])"),
                OptionSpec.bool("warmupInit", false, "In relative-step mode, warm up as min(1e-6*step, 1/sqrt(step)); "
                        + "needs relativeStep"),
                OptionSpec.list("eps", OptionSpec.number("eps", null, "A regularization constant").min(0),
                        "[added to the squared gradient, lower bound of the parameter scale]")
                        .withDefault(List.of(1e-30, 1e-3)),
                OptionSpec.number("clipThreshold", 1.0, "Largest RMS of an update before the learning rate is applied")
                        .min(0),
                OptionSpec.number("decayRate", -0.8, "Second-moment decay: beta2 at step t is 1 - t^decayRate").max(0),
                OptionSpec.number("beta1", (Double) null, "Keep a first moment with this decay rate; none by default")
                        .min(0).max(1),
                OptionSpec.number("weightDecay", 0.0, "Weight decay, scaled by the step's learning rate").min(0));
    }

    @Override
    public Optimizer create(List<ParameterGroup> groups, Options options) {
        Options o = PluginOptions.complete(this, options);
        List<Double> eps = o.getList("eps");
        if (eps.size() != 2 || !(eps.get(0) >= 0) || !(eps.get(1) >= 0)) {
            throw new InvalidInputException("The adafactor option \"eps\" must be two numbers of at least 0, "
                    + "[for the squared gradient, for the parameter scale], e.g. [1e-30, 1e-3]; got " + eps + ".");
        }
        boolean relativeStep = o.getBoolean("relativeStep");
        boolean warmupInit = o.getBoolean("warmupInit");
        if (warmupInit && !relativeStep) {
            throw new InvalidInputException("The adafactor option \"warmupInit\" only applies to the relative-step "
                    + "schedule: set \"relativeStep\": true, or drop \"warmupInit\".");
        }
        Double beta1 = o.findDouble("beta1").orElse(null);
        if (beta1 != null && !(beta1 >= 0 && beta1 < 1)) {
            throw new InvalidInputException("The adafactor option \"beta1\" must be in [0, 1); got " + beta1 + ".");
        }
        Adafactor.Hyperparameters h = new Adafactor.Hyperparameters(relativeStep, o.getBoolean("scaleParameter"),
                warmupInit, eps.get(0), eps.get(1), positive(o, "clipThreshold"), o.getDouble("decayRate"), beta1,
                o.getDouble("weightDecay"));
        return new Adafactor(groups, h);
    }

    private static double positive(Options o, String name) {
        double value = o.getDouble(name);
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new InvalidInputException("The adafactor option \"" + name + "\" must be a finite number above 0; got "
                    + value + ".");
        }
        return value;
    }
}
