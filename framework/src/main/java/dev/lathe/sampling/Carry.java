package dev.lathe.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * The latent a sampler carries from one step to the next. Each step runs in its own
 * {@link NDScope}, which frees everything the step made when it closes; the new latent is taken
 * out of the scope here and the previous one freed, so a run of any length holds only a few
 * latents at a time. The caller's starting latent is never freed.
 */
final class Carry {

    private final NDArray input;
    private final NDManager manager;
    private NDArray x;

    Carry(NDArray input, double[] sigmas) {
        if (sigmas.length < 2) {
            throw new IllegalArgumentException("A sampler needs at least 2 noise levels (1 step), got " + sigmas.length);
        }
        this.input = input;
        this.manager = input.getManager();
        this.x = input;
    }

    /** The current latent. */
    NDArray x() {
        return x;
    }

    /** Makes {@code next}, created in the current step's scope, the current latent. */
    void set(NDArray next) {
        x = adopt(next, x);
    }

    /** The final latent, owned by the caller. */
    NDArray result() {
        return x == input ? x.duplicate() : x;
    }

    /**
     * Takes {@code array} out of the current step's scope (onto the latent's manager, should the
     * model have made it elsewhere) and frees {@code replaced} unless it is the caller's latent.
     */
    NDArray adopt(NDArray array, NDArray replaced) {
        NDScope.unregister(array);
        if (array.getManager() != manager) {
            array.attach(manager);
        }
        if (replaced != null && replaced != input && replaced != array) {
            replaced.close();
        }
        return array;
    }

    /** Frees an array kept across steps, if any. */
    static void free(NDArray kept) {
        if (kept != null) {
            kept.close();
        }
    }
}
