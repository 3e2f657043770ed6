package dev.lathe.face.nets;

/** An activation applied to single values inside the Java kernels. */
enum Activation {
    NONE,
    RELU,
    /** {@code min(max(x, 0), 6)}. */
    RELU6;

    float apply(float x) {
        return switch (this) {
            case NONE -> x;
            case RELU -> Math.max(x, 0f);
            case RELU6 -> Math.min(Math.max(x, 0f), 6f);
        };
    }
}
