package dev.lathe.sdxl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.Tensor;
import dev.lathe.testing.CheckpointRewrite;
import dev.lathe.testing.TensorAsserts;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tiny checkpoint stored as F16 and BF16 (real SDXL files are F16) loads into float32 and
 * computes exactly what the same rounded weights give from an F32 file, and the fixture outputs
 * within half-precision error.
 */
class SdxlHalfPrecisionTest {

    /** max |error| / max |expected| allowed against the fixtures, per format (unit roundoff F16 4.9e-4, BF16 3.9e-3). */
    private static final Map<DType, Double> FIXTURE_ERROR = Map.of(DType.F16, 5e-3, DType.BF16, 4e-2);

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16"})
    void halfPrecisionCheckpointsLoadIntoFloat32(DType dtype) {
        Map<String, String> metadata = CheckpointRewrite.metadata(Fixtures.tiny());
        Map<String, Tensor> half = CheckpointRewrite.converted(CheckpointRewrite.read(Fixtures.tiny()), dtype);
        Path halfFile = temp.resolve("tiny-" + dtype + ".safetensors");
        CheckpointRewrite.write(halfFile, half, metadata);
        Path widenedFile = temp.resolve("tiny-" + dtype + "-as-f32.safetensors");
        CheckpointRewrite.write(widenedFile, CheckpointRewrite.widened(half), metadata);

        Map<String, float[]> fromHalf;
        Map<String, float[]> fromWidened;
        try (SdxlModel model = SdxlModel.load(halfFile, LoadOptions.cpuFloat32())) {
            assertEquals(DataType.FLOAT32, model.unet().computeType());
            assertEquals(DataType.FLOAT32, model.layers()
                    .get("conditioner.embedders.1.transformer.text_model.encoder.layers.0.self_attn.v_proj").weight().getDataType());
            fromHalf = SdxlParityTest.computeAll(model);
        }
        try (SdxlModel model = SdxlModel.load(widenedFile, LoadOptions.cpuFloat32())) {
            fromWidened = SdxlParityTest.computeAll(model);
        }
        for (Map.Entry<String, float[]> e : fromHalf.entrySet()) {
            double same = TensorAsserts.relativeMaxError(e.getValue(), fromWidened.get(e.getKey()));
            assertTrue(same < 1e-5, e.getKey() + ": " + dtype + " loading differs from the same weights in F32 by " + same);
            String[] key = e.getKey().split(":expected\\.");
            double fixture = TensorAsserts.relativeMaxError(e.getValue(),
                    Fixtures.tensors(key[0]).get("expected." + key[1]).toFloatArray());
            assertTrue(fixture < FIXTURE_ERROR.get(dtype), e.getKey() + ": " + dtype + " error " + fixture
                    + " of max|output| exceeds half-precision error " + FIXTURE_ERROR.get(dtype));
        }
    }
}
