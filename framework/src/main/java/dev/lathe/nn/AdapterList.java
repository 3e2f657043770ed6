package dev.lathe.nn;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.List;

/** The copy-on-write adapter list of a {@link Linear} or {@link Conv2d}. */
final class AdapterList {

    private static final Adapter[] NONE = new Adapter[0];

    private volatile Adapter[] adapters = NONE;

    synchronized void add(Adapter adapter) {
        Adapter[] next = Arrays.copyOf(adapters, adapters.length + 1);
        next[adapters.length] = java.util.Objects.requireNonNull(adapter, "adapter");
        adapters = next;
    }

    synchronized boolean remove(Adapter adapter) {
        for (int i = 0; i < adapters.length; i++) {
            if (adapters[i] == adapter) {
                Adapter[] next = new Adapter[adapters.length - 1];
                System.arraycopy(adapters, 0, next, 0, i);
                System.arraycopy(adapters, i + 1, next, i, adapters.length - i - 1);
                adapters = next;
                return true;
            }
        }
        return false;
    }

    List<Adapter> list() {
        return List.of(adapters);
    }

    /**
     * Adds every adapter's contribution for {@code input} to {@code output} in place ({@code
     * output} is the layer's fresh result, which autograd does not keep for the layer's own
     * backward) and returns it.
     */
    NDArray addContributions(NDArray output, NDArray input) {
        Adapter[] current = adapters;
        for (Adapter adapter : current) {
            NDArray delta = adapter.apply(input);
            if (delta != null) {
                output.addi(delta);
                delta.close();
            }
        }
        return output;
    }
}
