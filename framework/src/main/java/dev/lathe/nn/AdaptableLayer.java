package dev.lathe.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * A layer with a weight matrix that adapters such as LoRA can attach to: {@link Linear} and
 * {@link Conv2d}. Implementations keep a copy-on-write adapter list, so attaching or detaching
 * while another thread runs a forward pass is safe (that pass sees the old or the new list).
 */
public interface AdaptableLayer {

    /** The layer's checkpoint key prefix, e.g. {@code model.diffusion_model.input_blocks.1.1.proj_in}. */
    String name();

    /** The weight ({@code [out, in]} or {@code [out, in, kh, kw]}); read-only, often a view of the mapped file. */
    NDArray weight();

    /** Input features (Linear) or input channels (Conv2d). */
    long inFeatures();

    /** Output features or channels. */
    long outFeatures();

    /** Attaches {@code adapter}; its contribution is added from the next forward pass on. */
    void addAdapter(Adapter adapter);

    /** Detaches {@code adapter}; returns whether it was attached. */
    boolean removeAdapter(Adapter adapter);

    /** The attached adapters, in the order they were added. */
    List<Adapter> adapters();
}
