package dev.lathe.render;

import java.util.List;

/** Hears about a render's progress: once per sampling step (progress bars, tests). */
@FunctionalInterface
public interface RenderListener {

    RenderListener NONE = (step, steps, loras) -> { };

    /**
     * Sampling step {@code step} (1-based) of {@code steps} has evaluated the model.
     *
     * @param loras the strengths each LoRA of the render had for that evaluation, in render order
     */
    void onStep(int step, int steps, List<AppliedLora> loras);
}
