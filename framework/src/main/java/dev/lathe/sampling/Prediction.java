package dev.lathe.sampling;

/** What a {@link TimestepModel} predicts. */
public enum Prediction {
    /** The noise ε that was added (SD 1.x, SDXL, SD 2.x base at 512). */
    EPSILON,
    /** The velocity v = sqrt(ā)·ε − sqrt(1 − ā)·x0 (SD 2.x at 768, some fine-tunes). */
    V
}
