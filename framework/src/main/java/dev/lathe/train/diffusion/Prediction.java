package dev.lathe.train.diffusion;

/** What the UNet predicts, and so what it is trained against (kohya's {@code --v_parameterization}). */
public enum Prediction {
    /** The added noise itself (SD 1.x, SD 2.x base, SDXL). */
    EPSILON,
    /** The velocity {@code sqrt(a_t) * noise - sqrt(1 - a_t) * x0} (SD 2.x 768-v models). */
    V_PREDICTION
}
