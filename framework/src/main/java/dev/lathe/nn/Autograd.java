package dev.lathe.nn;

import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Whether libtorch records operations for a backward pass on the current thread ("grad mode",
 * thread-local; DJL's {@code GradientCollector} turns it on while it is open).
 *
 * <p>The blocks take in-place shortcuts (e.g. SiLU as {@code sigmoid(x) *= x}) only when nothing
 * is recorded: autograd may need the values an in-place operation would overwrite. DJL's
 * {@code NDArray.hasGradient()} cannot tell, as it is false for every non-leaf array. DJL turns
 * grad mode off only on the thread that started the engine; code that runs inference on another
 * thread should wrap it in {@link #inference} to get the in-place shortcuts (and no graph).
 */
public final class Autograd {

    private Autograd() {
    }

    /** Whether operations on this thread are being recorded for {@code backward()}. */
    public static boolean recording() {
        return JniUtils.isGradMode();
    }

    /** Runs {@code work} with recording off on this thread, then restores the previous mode. */
    public static <T> T inference(Supplier<T> work) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return work.get();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }
}
