package dev.lathe.optimizer.adamw;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.Options;
import dev.lathe.config.PluginOptions;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.OptimizerFactory;
import dev.lathe.api.optim.ParameterGroup;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/** AdamW as {@code torch.optim.AdamW} computes it; the optimizer most LoRA recipes use. */
@Component(service = OptimizerFactory.class, property = "id=" + AdamWFactory.ID)
public final class AdamWFactory implements OptimizerFactory {

    static final String ID = "adamw";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "AdamW: Adam with decoupled weight decay (torch.optim.AdamW); needs a learning rate";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                OptionSpec.list("betas", OptionSpec.number("beta", null, "A moment's decay rate").min(0).max(1),
                        "Decay rates of the first and second moment estimates, [beta1, beta2]")
                        .withDefault(List.of(0.9, 0.999)),
                OptionSpec.number("eps", 1e-8, "Added to the denominator, after bias correction, for stability").min(0),
                OptionSpec.number("weightDecay", 0.01, "Decoupled weight decay: each step multiplies the weights by "
                        + "1 - learningRate * weightDecay").min(0),
                OptionSpec.bool("amsgrad", false, "Use the running maximum of the second moment (AMSGrad)"));
    }

    @Override
    public Optimizer create(List<ParameterGroup> groups, Options options) {
        Options o = PluginOptions.complete(this, options);
        List<Double> betas = o.getList("betas");
        if (betas.size() != 2 || !(betas.get(0) >= 0 && betas.get(0) < 1) || !(betas.get(1) >= 0 && betas.get(1) < 1)) {
            throw new InvalidInputException("The adamw option \"betas\" must be two numbers in [0, 1), "
                    + "[beta1, beta2], e.g. [0.9, 0.999]; got " + betas + ".");
        }
        double eps = nonNegative(o, "eps");
        double weightDecay = nonNegative(o, "weightDecay");
        AdamW.Hyperparameters h = new AdamW.Hyperparameters(betas.get(0), betas.get(1), eps, weightDecay,
                o.getBoolean("amsgrad"));
        return new AdamW(groups, h);
    }

    private static double nonNegative(Options o, String name) {
        double value = o.getDouble(name);
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new InvalidInputException("The adamw option \"" + name + "\" must be a finite number of at least 0; got "
                    + value + ".");
        }
        return value;
    }
}
