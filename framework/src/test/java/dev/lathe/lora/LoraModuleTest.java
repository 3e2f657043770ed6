package dev.lathe.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import dev.lathe.runtime.NDArrays;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.SafeTensorsFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * kohya's LoRAModule maths: {@code lora_apply.safetensors} (m = 0.8, rank 2, alpha 1) for a
 * Linear and a 3x3 Conv2d, forward and merged weight; init, 1x1 and strided convs, dropouts,
 * gradients.
 */
class LoraModuleTest {

    private static final float M = 0.8f;
    private static final double TOLERANCE = 1e-6;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = TensorRuntime.newManager(Device.cpu());
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void linearFixture() throws IOException {
        try (SafeTensorsFile f = fixture()) {
            ModuleDescriptor layer = new ModuleDescriptor("linear", BlockKind.OTHER, LayerKind.LINEAR, 6, 5, 1, 1, 0);
            LoraModule module = fromFixture(f, "linear", layer);
            NDArray x = array(f, "linear.input");
            NDArray weight = array(f, "linear.weight");
            NDArray bias = array(f, "linear.bias");
            NDArray original = Linear.linear(x, weight, bias).singletonOrThrow();

            assertClose(f, "linear.output_kohya_forward", module.forward(x, original));
            NDArray merged = module.merge(weight, M);
            assertClose(f, "linear.merged_weight", merged);
            assertClose(f, "linear.output_kohya_forward", Linear.linear(x, merged, bias).singletonOrThrow());
            assertClose(f, "linear.weight", module.unmerge(merged, M));
        }
    }

    @Test
    void conv3x3Fixture() throws IOException {
        try (SafeTensorsFile f = fixture()) {
            ModuleDescriptor layer = new ModuleDescriptor("conv", BlockKind.OTHER, LayerKind.CONV, 3, 4, 3, 1, 1);
            LoraModule module = fromFixture(f, "conv3x3", layer);
            NDArray x = array(f, "conv3x3.input");
            NDArray weight = array(f, "conv3x3.weight");
            NDArray bias = array(f, "conv3x3.bias");
            NDArray original = conv(x, weight, bias, 1, 1);

            assertClose(f, "conv3x3.output_kohya_forward", module.forward(x, original));
            NDArray merged = module.merge(weight, M);
            assertClose(f, "conv3x3.merged_weight", merged);
            assertClose(f, "conv3x3.output_kohya_forward", conv(x, merged, bias, 1, 1));
        }
    }

    /** A strided 3x3 conv (a downsampler) and a 1x1 conv: running the LoRA equals merging it. */
    @Test
    void forwardEqualsMergedForStridedAndPointwiseConvs() {
        for (int[] kernelStridePadding : new int[][] {{3, 2, 1}, {1, 1, 0}}) {
            int k = kernelStridePadding[0];
            int stride = kernelStridePadding[1];
            int padding = kernelStridePadding[2];
            LoraModuleSpec spec = spec(ModuleDescriptor.conv("down_blocks.0.downsamplers.0.conv", 6, 5, k, stride, padding),
                    3, 0f);
            LoraModule module = LoraModule.of(spec, random(spec.downShape(), 1), random(spec.upShape(), 2), M,
                    LoraDropout.none());
            NDArray x = random(new long[] {2, 6, 9, 9}, 3);
            NDArray weight = random(spec.layer().weightShape(), 4);
            NDArray original = conv(x, weight, null, stride, padding);
            NDArray viaLora = module.forward(x, original);
            NDArray viaMerge = conv(x, module.merge(weight, M), null, stride, padding);
            assertEquals(original.getShape(), viaLora.getShape());
            assertTrue(maxRelative(viaMerge, viaLora) < 1e-6, "kernel " + k);
        }
    }

    @Test
    void scaleIsAlphaOverRankAndZeroAlphaMeansRank() {
        ModuleDescriptor layer = ModuleDescriptor.linear("text_model.encoder.layers.0.mlp.fc1", 8, 4);
        assertEquals(0.5f, spec(layer, 16, 8f).scale());
        assertEquals(1f, spec(layer, 16, 0f).scale());
        assertEquals(16f, spec(layer, 16, 0f).effectiveAlpha());
    }

    @Test
    void initializationIsKaimingUniformDownAndZeroUp() {
        LoraModuleSpec spec = spec(ModuleDescriptor.conv("mid_block.resnets.0.conv1", 64, 32, 3, 1, 1), 8, 4f);
        LoraModule module = LoraModule.initialize(manager, spec, 42, 1f, LoraDropout.none());
        float[] down = module.down().toFloatArray();
        double bound = 1 / Math.sqrt(64 * 9);
        double max = 0;
        double sum = 0;
        for (float v : down) {
            max = Math.max(max, Math.abs(v));
            sum += v;
        }
        assertTrue(max <= bound && max > 0.99 * bound, "uniform in +-1/sqrt(fan_in): max " + max + " bound " + bound);
        assertEquals(0, sum / down.length, bound / 20, "centred");
        assertEquals(0, module.up().abs().max().getFloat());
        assertArrayEquals(down, LoraModule.initialize(manager, spec, 42, 1f, LoraDropout.none()).down().toFloatArray(),
                "seeded");
        LoraModuleSpec other = spec(ModuleDescriptor.conv("mid_block.resnets.0.conv2", 64, 32, 3, 1, 1), 8, 4f);
        assertNotEquals(down[0], LoraModule.initialize(manager, other, 42, 1f, LoraDropout.none()).down().toFloatArray()[0],
                "each module draws its own values");
    }

    @Test
    void moduleDropoutSkipsTheWholeModule() {
        LoraModule module = textModule(new LoraDropout(0, 0, 0.5));
        NDArray x = random(new long[] {2, 7, 8}, 5);
        NDArray original = random(new long[] {2, 7, 4}, 6);
        assertTrue(module.forward(x, original, fixedUniform(0.2)) == original, "draw 0.2 < p: dropped");
        assertTrue(maxRelative(module.forward(x, original), module.forward(x, original, fixedUniform(0.7))) < 1e-7,
                "draw 0.7 >= p: kept, and no other dropout");
    }

    /** Rank dropout: per (sample, rank) masks shared by all tokens, and scale / (1 - p). */
    @Test
    void rankDropoutMasksRanksAndRescales() {
        double p = 0.25;
        LoraModule module = textModule(new LoraDropout(0, p, 0));
        NDArray x = random(new long[] {2, 7, 8}, 5);
        NDArray original = manager.zeros(new Shape(2, 7, 4));
        // draws per (sample, rank), rank 3: sample 0 keeps ranks 0 and 2, sample 1 keeps rank 1
        double[] draws = {0.9, 0.1, 0.5, 0.2, 0.3, 0.24};
        NDArray actual = module.forward(x, original, sequence(draws));

        float[] keep = {1, 0, 1, 0, 1, 0};
        NDArray mask = manager.create(keep, new Shape(2, 1, 3));
        NDArray lx = Linear.linear(x, module.down()).singletonOrThrow().mul(mask);
        NDArray expected = Linear.linear(lx, module.up()).singletonOrThrow()
                .mul(M * module.spec().scale() / (1 - p));
        assertTrue(maxRelative(expected, actual) < 1e-6);
    }

    @Test
    void networkDropoutDropsActivationsOnlyInTraining() {
        LoraModule module = textModule(new LoraDropout(0.5, 0, 0));
        NDArray x = random(new long[] {4, 16, 8}, 5);
        NDArray original = manager.zeros(new Shape(4, 16, 4));
        NDArray plain = module.forward(x, original);
        NDArray dropped = module.forward(x, original, new SplittableRandom(1));
        assertTrue(maxRelative(plain, dropped) > 1e-3, "training output differs");
        assertTrue(maxRelative(plain, module.delta(x)) < 1e-7, "inference has no dropout");
    }

    /** Gradients reach down and up: for L = sum(G * y), dL/dup = c G^T (x D^T), dL/ddown = c (G U)^T x. */
    @Test
    void gradientsReachBothProjections() {
        LoraModuleSpec spec = spec(ModuleDescriptor.linear("text_model.encoder.layers.0.mlp.fc2", 6, 5), 2, 1f);
        NDArray down = random(spec.downShape(), 7);
        NDArray up = random(spec.upShape(), 8);
        LoraModule module = LoraModule.of(spec, down, up, M, LoraDropout.none());
        down.setRequiresGradient(true);
        up.setRequiresGradient(true);
        NDArray x = random(new long[] {3, 6}, 9);
        NDArray g = random(new long[] {3, 5}, 10);
        NDArray original = random(new long[] {3, 5}, 11);
        try (NDScope scope = new NDScope(); GradientCollector collector = TensorRuntime.engine().newGradientCollector()) {
            NDArray y = module.forward(x, original, new SplittableRandom(1));
            System.gc();
            collector.backward(y.mul(g).sum());
        }
        float c = M * spec.scale();
        NDArray xd = x.matMul(down.stopGradient().transpose());
        NDArray expectedUp = g.transpose().matMul(xd).mul(c);
        NDArray expectedDown = g.matMul(up.stopGradient()).transpose().matMul(x).mul(c);
        assertTrue(maxRelative(expectedUp, up.getGradient()) < 1e-5);
        assertTrue(maxRelative(expectedDown, down.getGradient()) < 1e-5);
    }

    @Test
    void wrongShapesAreRefused() {
        LoraModuleSpec spec = spec(ModuleDescriptor.linear("text_model.encoder.layers.0.mlp.fc2", 6, 5), 2, 1f);
        assertThrows(IllegalArgumentException.class, () -> LoraModule.of(spec, random(new long[] {3, 6}, 1),
                random(spec.upShape(), 1), 1f, LoraDropout.none()));
    }

    private LoraModule textModule(LoraDropout dropout) {
        LoraModuleSpec spec = spec(ModuleDescriptor.linear("text_model.encoder.layers.0.self_attn.q_proj", 8, 4), 3, 2f);
        return LoraModule.of(spec, random(spec.downShape(), 1), random(spec.upShape(), 2), M, dropout);
    }

    private LoraModule fromFixture(SafeTensorsFile f, String key, ModuleDescriptor layer) {
        NDArray down = array(f, key + ".lora_down.weight");
        float alpha = f.tensor(key + ".alpha").toFloatArray()[0];
        LoraModuleSpec spec = new LoraModuleSpec(key, ModelPart.UNET, layer, (int) down.getShape().get(0), alpha);
        return LoraModule.of(spec, down, array(f, key + ".lora_up.weight"), M, LoraDropout.none());
    }

    private static LoraModuleSpec spec(ModuleDescriptor layer, int rank, float alpha) {
        return new LoraModuleSpec(ModelPart.UNET.loraName(layer.path()), ModelPart.UNET, layer, rank, alpha);
    }

    private static NDArray conv(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        return Conv2d.conv2d(x, weight, bias, new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), 1)
                .singletonOrThrow();
    }

    private NDArray random(long[] shape, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(new Shape(shape).size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return manager.create(values, new Shape(shape));
    }

    /**
     * The largest difference relative to the tensor's scale (its largest magnitude): float32 sums
     * in another order differ by a few ulps of their terms, not of a small result.
     */
    private static double maxRelative(NDArray expected, NDArray actual) {
        assertEquals(expected.getShape(), actual.getShape());
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double scale = 1e-12;
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            worst = Math.max(worst, Math.abs(e[i] - a[i]));
        }
        return worst / scale;
    }

    private void assertClose(SafeTensorsFile f, String name, NDArray actual) {
        double error = maxRelative(array(f, name), actual);
        assertTrue(error < TOLERANCE, name + ": relative error " + error);
    }

    private NDArray array(SafeTensorsFile f, String name) {
        return NDArrays.fromTensor(manager, f.tensor(name));
    }

    private static SafeTensorsFile fixture() throws IOException {
        try {
            return SafeTensorsFile.open(Path.of(LoraModuleTest.class.getResource("/lora/lora_apply.safetensors").toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RandomGenerator fixedUniform(double value) {
        return sequence(new double[] {value});
    }

    /** nextDouble() cycles through {@code values}. */
    private static RandomGenerator sequence(double[] values) {
        return new RandomGenerator() {
            private int next;

            @Override
            public double nextDouble() {
                return values[next++ % values.length];
            }

            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }
        };
    }
}
