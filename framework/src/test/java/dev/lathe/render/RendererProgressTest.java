package dev.lathe.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lathe.sampling.Schedule;
import dev.lathe.sampling.SigmaTable;
import org.junit.jupiter.api.Test;

/** Where in sampling a model evaluation is, which LoRA strength schedules are read at. */
class RendererProgressTest {

    @Test
    void stepKIsAtKOverStepsMinusOne() {
        double[] sigmas = Schedule.KARRAS.sigmas(SigmaTable.stableDiffusion(), 5);
        for (int k = 0; k < 5; k++) {
            assertEquals(k / 4.0, Renderer.progress(sigmas, sigmas[k]), 1e-12);
        }
    }

    @Test
    void evaluationsBetweenLevelsInterpolate() {
        double[] sigmas = {10, 6, 2, 0};
        assertEquals(0.25, Renderer.progress(sigmas, 8), 1e-12);
        assertEquals(0.75, Renderer.progress(sigmas, 4), 1e-12);
        assertEquals(1.0, Renderer.progress(sigmas, 1), 1e-12, "below the last step's level");
        assertEquals(0.0, Renderer.progress(sigmas, 11), 1e-12);
        assertEquals(0.0, Renderer.progress(new double[] {10, 0}, 10), 1e-12, "a single step is at 0");
    }
}
