package dev.lathe.lora;

import java.util.List;
import java.util.Objects;

/**
 * The Linear and Conv2d layers of one model part, in the order the model registers them (for a
 * checkpoint read from disk: sorted with {@link StableDiffusionPaths#kohyaOrder()}).
 */
public record ModuleTree(ModelPart part, List<ModuleDescriptor> modules) {

    public ModuleTree {
        Objects.requireNonNull(part, "part");
        modules = List.copyOf(modules);
    }
}
