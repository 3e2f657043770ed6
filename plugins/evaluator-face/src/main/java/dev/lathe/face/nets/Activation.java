package dev.lathe.face.nets;

/** What follows a convolution's bias, applied inside the Java kernels. */
enum Activation {
    NONE,
    RELU,
    /** {@code min(max(x, 0), 6)} (SSD MobileNetV1). */
    RELU6,
    /**
     * {@code max(x, 0.1 x)} (Tiny Face Detector), in face-api's arithmetic
     * {@code relu(x - 0.1 x) + 0.1 x}, which differs from the plain form in the last bit.
     */
    LEAKY;

    /**
     * {@code values[i] = activation(values[i] + bias[i])} for {@code i} in {@code from … to-1}; one
     * loop per kind so that each vectorizes.
     */
    void addBias(float[] values, float[] bias, int from, int to) {
        switch (this) {
            case NONE -> {
                for (int i = from; i < to; i++) {
                    values[i] += bias[i];
                }
            }
            case RELU -> {
                for (int i = from; i < to; i++) {
                    values[i] = Math.max(values[i] + bias[i], 0f);
                }
            }
            case RELU6 -> {
                for (int i = from; i < to; i++) {
                    values[i] = Math.min(Math.max(values[i] + bias[i], 0f), 6f);
                }
            }
            case LEAKY -> {
                for (int i = from; i < to; i++) {
                    float x = values[i] + bias[i];
                    float tenth = x * 0.1f;
                    values[i] = Math.max(x - tenth, 0f) + tenth;
                }
            }
        }
    }
}
