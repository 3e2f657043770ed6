package dev.lathe.sd15;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.Tensor;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tiny checkpoint converted to F16 and BF16 (with the framework's writer and rounding) loads
 * into float32 and computes:
 * <ul>
 * <li>exactly what the same rounded weights give when stored as F32 (the conversion to float32 at
 *     load time is exact; the forward passes are then identical up to float32 rounding), and
 * <li>the fixture outputs within half-precision error (the weights lost precision).
 * </ul>
 */
class Sd15HalfPrecisionTest {

    /** max |error| / max |expected| allowed against the fixtures, per format (unit roundoff F16 4.9e-4, BF16 3.9e-3). */
    private static final Map<DType, Double> FIXTURE_ERROR = Map.of(DType.F16, 5e-3, DType.BF16, 4e-2);

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16"})
    void halfPrecisionCheckpointsLoadIntoFloat32(DType dtype) {
        Path tiny = Fixtures.tiny();
        Map<String, Tensor> half = Rewrite.converted(Fixtures.tensors(tiny), dtype);
        Path halfFile = temp.resolve("tiny-" + dtype + ".safetensors");
        Rewrite.write(halfFile, half, Fixtures.metadata(tiny));
        Path widenedFile = temp.resolve("tiny-" + dtype + "-as-f32.safetensors");
        Rewrite.write(widenedFile, Rewrite.widened(half), Fixtures.metadata(tiny));

        Map<String, float[]> fromHalf;
        Map<String, float[]> fromWidened;
        try (Sd15Model model = Sd15Model.load(halfFile, LoadOptions.cpuFloat32())) {
            assertEquals(DataType.FLOAT32, model.unet().computeType());
            assertEquals(DataType.FLOAT32,
                    model.layers().get("model.diffusion_model.out.2").weight().getDataType());
            fromHalf = Sd15ParityTest.computeAll(model);
        }
        try (Sd15Model model = Sd15Model.load(widenedFile, LoadOptions.cpuFloat32())) {
            fromWidened = Sd15ParityTest.computeAll(model);
        }
        double worstSame = 0;
        double worstFixture = 0;
        for (Map.Entry<String, float[]> e : fromHalf.entrySet()) {
            float[] reference = fromWidened.get(e.getKey());
            double sameWeights = Fixtures.relativeMaxError(e.getValue(), reference);
            assertTrue(sameWeights < 1e-5, e.getKey() + ": " + dtype + " loading differs from the same weights in F32 by "
                    + sameWeights + " of max|output|");
            double fixture = Fixtures.relativeMaxError(e.getValue(), Sd15ParityTest.expected(e.getKey()).toFloatArray());
            assertTrue(fixture < FIXTURE_ERROR.get(dtype), e.getKey() + ": " + dtype + " error " + fixture
                    + " of max|output| exceeds half-precision error " + FIXTURE_ERROR.get(dtype));
            worstSame = Math.max(worstSame, sameWeights);
            worstFixture = Math.max(worstFixture, fixture);
        }
        System.out.printf("%s: worst error vs F32 of the same weights %.2e, vs fixtures %.2e (of max|output|)%n",
                dtype, worstSame, worstFixture);
    }
}
