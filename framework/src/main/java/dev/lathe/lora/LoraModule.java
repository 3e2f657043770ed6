package dev.lathe.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The maths of one kohya LoRA module: a low-rank update {@code up · down} beside a frozen layer.
 *
 * <pre>
 * y     = layer(x) + up(down(x)) * m * scale         scale = alpha / rank, m = multiplier
 * W'    = W + m * scale * reshape(up.flatten(1) @ down.flatten(1), W.shape)     (merged)
 * </pre>
 * For a Linear layer {@code down} is {@code [r, in]} and {@code up} {@code [out, r]}. For a
 * Conv2d {@code down} is a {@code [r, in, k, k]} convolution with the original layer's stride and
 * padding and {@code up} a 1x1 convolution {@code [out, r, 1, 1]}; one after the other they are
 * the single k×k convolution {@code up @ down}, which is why merging works.
 *
 * <p>A new module starts as kohya's: {@code down} Kaiming-uniform with a = √5, i.e. uniform in
 * ±1/√fan_in, {@code up} zero, so training starts from the unchanged model.
 *
 * <p><b>Arrays.</b> {@link #down()} and {@link #up()} live in the manager the module was made
 * with and require gradients once the trainer says so. The factor {@code m * scale} is kept as a
 * scalar array for the module's life: under autograd DJL's {@code Number} overloads create
 * temporaries that can be freed before {@code backward()}. Forward results belong to the input's
 * manager (run them in the step's {@code NDScope}). Not thread-safe.
 *
 * <p>The factor multiplies the rank-wide intermediate {@code down(x)} rather than the layer-wide
 * result (the same product, as both projections are linear): a pass over {@code rank} channels
 * instead of the layer's output channels, forward and backward. With rank dropout the factor
 * is part of the rank mask, so it costs no pass of its own.
 */
public final class LoraModule {

    private final LoraModuleSpec spec;
    private final NDArray down;
    private final NDArray up;
    private final LoraDropout dropout;
    private float multiplier;
    private NDArray factor;
    /** m * scale / (1 - rank dropout): the value of a kept rank in the rank-dropout mask. */
    private float rankDropoutFactor;

    private LoraModule(LoraModuleSpec spec, NDArray down, NDArray up, float multiplier, LoraDropout dropout) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.down = requireShape(down, spec.downShape(), "lora_down");
        this.up = requireShape(up, spec.upShape(), "lora_up");
        this.dropout = Objects.requireNonNull(dropout, "dropout");
        setMultiplier(multiplier);
    }

    /**
     * A fresh module in {@code manager}: {@code down} Kaiming-uniform from a generator seeded by
     * {@code seed} and the module's name (so a module's start does not depend on which other
     * modules the network has), {@code up} zero.
     */
    public static LoraModule initialize(NDManager manager, LoraModuleSpec spec, long seed, float multiplier,
            LoraDropout dropout) {
        long[] downShape = spec.downShape();
        float[] values = new float[Math.toIntExact(new Shape(downShape).size())];
        double fanIn = (double) values.length / spec.rank(); // in * k * k
        double bound = 1 / Math.sqrt(fanIn); // Kaiming uniform, a = sqrt(5): sqrt(6 / ((1 + 5) * fan_in))
        RandomGenerator random = new SplittableRandom(seed ^ nameHash(spec.name()));
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
        NDArray down = manager.create(values, new Shape(downShape));
        NDArray up = manager.zeros(new Shape(spec.upShape()));
        return new LoraModule(spec, down, up, multiplier, dropout);
    }

    /** A module with the given weights (from a file, or to continue training); the arrays are used as they are. */
    public static LoraModule of(LoraModuleSpec spec, NDArray down, NDArray up, float multiplier, LoraDropout dropout) {
        return new LoraModule(spec, down, up, multiplier, dropout);
    }

    public LoraModuleSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public NDArray down() {
        return down;
    }

    public NDArray up() {
        return up;
    }

    public float multiplier() {
        return multiplier;
    }

    /** Sets m. Do not call between a forward pass and its {@code backward()}. */
    public void setMultiplier(float multiplier) {
        this.multiplier = multiplier;
        NDManager manager = down.getManager();
        NDArray oldFactor = factor;
        factor = manager.create(multiplier * spec.scale());
        rankDropoutFactor = (float) (multiplier * spec.scale() / (1 - dropout.rank()));
        // The factor lives as long as the module, even when the multiplier changes inside a
        // step's NDScope (a strength schedule during sampling): keep it out of any open scope.
        NDScope.unregister(factor);
        if (oldFactor != null) {
            oldFactor.close();
        }
    }

    /** Inference: {@code original + up(down(x)) * m * scale}, where {@code original} is the layer's own output for {@code x}. */
    public NDArray forward(NDArray x, NDArray original) {
        return original.add(delta(x));
    }

    /**
     * Training: as {@link #forward(NDArray, NDArray)} with the dropouts applied; {@code random}
     * decides every dropout (module, network and rank masks).
     */
    public NDArray forward(NDArray x, NDArray original, RandomGenerator random) {
        NDArray delta = delta(x, random);
        return delta == null ? original : original.add(delta);
    }

    /**
     * Training: {@code up(down(x)) * m * scale} with the dropouts applied, or null when module
     * dropout drops the module for this call. {@code random} decides module dropout and the
     * network and rank dropout masks.
     */
    public NDArray delta(NDArray x, RandomGenerator random) {
        if (dropout.module() > 0 && random.nextDouble() < dropout.module()) {
            return null;
        }
        NDArray lx = project(x, down, spec.layer().stride(), spec.layer().padding());
        if (dropout.network() > 0) {
            lx = lx.mul(networkMask(lx, random));
        }
        // the factor on the rank-wide intermediate; with rank dropout inside the mask
        lx = lx.mul(dropout.rank() > 0 ? rankMask(lx, random) : factor);
        return project(lx, up, 1, 0);
    }

    /** {@code up(down(x)) * m * scale}, without dropout. */
    public NDArray delta(NDArray x) {
        NDArray lx = project(x, down, spec.layer().stride(), spec.layer().padding());
        return project(lx.mul(factor), up, 1, 0);
    }

    /**
     * The update this module makes to its layer's weight at strength {@code strength} (in place of
     * the multiplier): {@code strength * scale * reshape(up.flatten(1) @ down.flatten(1), W.shape)},
     * float32, without gradient, in {@code manager}.
     */
    public NDArray weightDelta(NDManager manager, float strength) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray downRows = float32In(scratch, detached(scratch, down)).reshape(spec.rank(), -1);
            NDArray upColumns = float32In(scratch, detached(scratch, up)).reshape(spec.layer().out(), spec.rank());
            NDArray product = upColumns.matMul(downRows).reshape(new Shape(spec.layer().weightShape()));
            product.attach(manager);
            return product.muli(strength * spec.scale());
        }
    }

    /** {@code W + weightDelta(strength)} in {@code weight}'s data type and manager: the LoRA merged into the layer. */
    public NDArray merge(NDArray weight, float strength) {
        return addDelta(weight, strength);
    }

    /** {@code W' - weightDelta(strength)}: takes a merged LoRA back out (exact up to rounding). */
    public NDArray unmerge(NDArray mergedWeight, float strength) {
        return addDelta(mergedWeight, -strength);
    }

    private NDArray addDelta(NDArray weight, float strength) {
        requireShape(weight, spec.layer().weightShape(), "weight");
        try (NDManager scratch = weight.getManager().newSubManager()) {
            NDArray sum = weightDelta(scratch, strength).add(float32In(scratch, weight));
            NDArray result = weight.getDataType() == DataType.FLOAT32 ? sum : sum.toType(weight.getDataType(), false);
            result.attach(weight.getManager());
            return result;
        }
    }

    /** One projection: a Linear without bias, or a Conv2d without bias with the given stride and padding. */
    private NDArray project(NDArray x, NDArray weight, int stride, int padding) {
        if (spec.kind() == LayerKind.LINEAR) {
            return Linear.linear(x, weight).singletonOrThrow();
        }
        return Conv2d.conv2d(x, weight, null, new Shape(stride, stride), new Shape(padding, padding),
                new Shape(1, 1), 1).singletonOrThrow();
    }

    /**
     * Ordinary dropout's mask for the down projection's output: each element kept with
     * probability 1 - p and then scaled by 1/(1 - p). Drawn from {@code random} (not libtorch's
     * generator) so that a seeded run, and a resumed one, draw the same masks.
     */
    private NDArray networkMask(NDArray lx, RandomGenerator random) {
        float[] keep = new float[Math.toIntExact(lx.getShape().size())];
        float kept = (float) (1 / (1 - dropout.network()));
        for (int i = 0; i < keep.length; i++) {
            keep[i] = random.nextDouble() >= dropout.network() ? kept : 0f;
        }
        NDArray mask = lx.getManager().create(keep, lx.getShape());
        return lx.getDataType() == DataType.FLOAT32 ? mask : mask.toType(lx.getDataType(), false);
    }

    /**
     * kohya's rank-dropout mask: one keep/drop draw per (sample, rank), broadcast over tokens
     * ({@code [B, 1, r]} for a text encoder's {@code [B, T, r]}) or pixels ({@code [B, r, 1, 1]});
     * a kept rank holds the module's factor rescaled as kohya does, {@code m * scale / (1 - p)}.
     */
    private NDArray rankMask(NDArray lx, RandomGenerator random) {
        Shape shape = lx.getShape();
        int batch = (int) shape.get(0);
        int rank = spec.rank();
        float[] keep = new float[batch * rank];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = random.nextDouble() > dropout.rank() ? rankDropoutFactor : 0f;
        }
        long[] maskShape = new long[shape.dimension()];
        Arrays.fill(maskShape, 1);
        maskShape[0] = batch;
        maskShape[spec.kind() == LayerKind.LINEAR ? shape.dimension() - 1 : 1] = rank;
        NDArray mask = lx.getManager().create(keep, new Shape(maskShape));
        return lx.getDataType() == DataType.FLOAT32 ? mask : mask.toType(lx.getDataType(), false);
    }

    /** A view of {@code array} without gradient, attached to {@code scratch}. */
    private static NDArray detached(NDManager scratch, NDArray array) {
        NDArray view = array.stopGradient();
        view.attach(scratch);
        return view;
    }

    /** {@code array} itself when float32, else a float32 copy attached to {@code scratch}. */
    private static NDArray float32In(NDManager scratch, NDArray array) {
        if (array.getDataType() == DataType.FLOAT32) {
            return array;
        }
        NDArray converted = array.toType(DataType.FLOAT32, false);
        converted.attach(scratch);
        return converted;
    }

    private NDArray requireShape(NDArray array, long[] shape, String what) {
        Objects.requireNonNull(array, what);
        if (!Arrays.equals(array.getShape().getShape(), shape)) {
            throw new IllegalArgumentException(spec.name() + ": " + what + " has shape " + array.getShape()
                    + ", expected " + new Shape(shape));
        }
        return array;
    }

    /** A stable 64-bit hash of a module name (FNV-1a), to seed its initialization. */
    static long nameHash(String name) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < name.length(); i++) {
            hash ^= name.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash;
    }
}
