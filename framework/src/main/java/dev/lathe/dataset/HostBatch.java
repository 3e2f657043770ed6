package dev.lathe.dataset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lathe.api.model.SizeConditioning;
import java.util.List;

/**
 * A batch prepared in the Java heap, before any tensor exists ({@link BatchLoader#prepare}): it can
 * be made on a background thread while the previous step trains, then turned into arrays with
 * {@link #toBatch}.
 *
 * @param plan        which samples these are
 * @param latents     true: {@code values} are cached latents; false: pixels in [-1, 1]
 * @param shape       the batch's shape, {@code [B, C, H, W]}
 * @param values      the batch's values, row-major in {@code shape}
 * @param captions    the processed caption per sample
 * @param lossWeights per sample (1.0)
 * @param sizes       SDXL's size conditioning per sample
 * @param flipped     per sample, whether it was mirrored
 * @param images      the dataset images, per sample
 */
public record HostBatch(BatchPlan plan, boolean latents, long[] shape, float[] values, List<String> captions,
        float[] lossWeights, List<SizeConditioning> sizes, boolean[] flipped, List<DatasetImage> images) {

    /** The batch with its values in a float32 array of {@code manager} (or the caller's open scope). */
    public Batch toBatch(NDManager manager) {
        NDArray array;
        // A plain create() aliases a Java buffer; a duplicate lives in libtorch's own memory (see nn.Constants).
        try (NDArray view = manager.create(values, new Shape(shape))) {
            array = view.duplicate();
        }
        return new Batch(plan, latents ? array : null, latents ? null : array, captions, lossWeights, sizes, flipped,
                images);
    }
}
