package dev.lathe.framework.internal.regularization;

import dev.lathe.api.Options;
import dev.lathe.api.regularization.RegularizationRequest;
import dev.lathe.api.regularization.RegularizationSet;
import dev.lathe.api.regularization.RegularizationStrategy;
import org.osgi.service.component.annotations.Component;

/**
 * Trains on the dataset alone, as the character-likeness and stepping-stone recipes do (the
 * measured best likeness came without regularization).
 */
@Component(service = RegularizationStrategy.class, property = "id=none")
public final class NoRegularization implements RegularizationStrategy {

    @Override
    public String id() {
        return "none";
    }

    @Override
    public String description() {
        return "No regularization images: train on the dataset alone";
    }

    @Override
    public RegularizationSet prepare(RegularizationRequest request, Options options) {
        return RegularizationSet.none();
    }
}
