package dev.lathe.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.nn.clip.OpenClipKeys;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.TensorInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Views say where their tensors are stored: renames and reshapes the whole tensor, OpenCLIP's q/k/v its rows. */
class StoredRangeTest {

    private static final int WIDTH = 4;

    /** An OpenCLIP text model of one layer, F16, below {@code m.}, plus a conv weight stored as a Linear. */
    private static WeightSource openClipFile() {
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        long[] offset = {0};
        java.util.function.BiConsumer<String, long[]> add = (name, shape) -> {
            long bytes = 2;
            for (long d : shape) {
                bytes *= d;
            }
            infos.put(name, new TensorInfo(name, DType.F16, shape, offset[0], offset[0] + bytes));
            offset[0] += bytes;
        };
        add.accept("m.token_embedding.weight", new long[] {10, WIDTH});
        add.accept("m.transformer.resblocks.0.attn.in_proj_weight", new long[] {3 * WIDTH, WIDTH});
        add.accept("m.transformer.resblocks.0.attn.out_proj.weight", new long[] {WIDTH, WIDTH});
        add.accept("proj_in.weight", new long[] {WIDTH, WIDTH});
        return WeightSource.headerOnly(infos);
    }

    @Test
    void qkvAreRowRangesOfTheFusedTensorAndOtherViewsTheWholeTensor() {
        WeightSource file = openClipFile();
        RemappedSource text = OpenClipKeys.asHuggingFace(file, "m.", "t.");
        RemappedSource conv = RemappedSource.builder(file).reshape("conv.weight", "proj_in.weight", WIDTH, WIDTH, 1, 1).build();
        WeightSource canonical = WeightSource.union(text, conv);
        String fused = "m.transformer.resblocks.0.attn.in_proj_weight";
        long rows = (long) WIDTH * WIDTH * 2; // bytes of one of q, k, v
        assertEquals(new StoredRange(fused, 0, rows), canonical.storedAt("t.encoder.layers.0.self_attn.q_proj.weight"));
        assertEquals(new StoredRange(fused, rows, rows), canonical.storedAt("t.encoder.layers.0.self_attn.k_proj.weight"));
        assertEquals(new StoredRange(fused, 2 * rows, rows), canonical.storedAt("t.encoder.layers.0.self_attn.v_proj.weight"));
        StoredRange out = canonical.storedAt("t.encoder.layers.0.self_attn.out_proj.weight");
        assertEquals(new StoredRange("m.transformer.resblocks.0.attn.out_proj.weight", 0, rows), out);
        assertTrue(out.isWhole(rows));
        assertEquals(new StoredRange("proj_in.weight", 0, rows), canonical.storedAt("conv.weight"));
        assertEquals(canonical.names(), canonical.storedRanges().keySet());
        assertEquals(new StoredRange("proj_in.weight", 0, rows), file.storedAt("proj_in.weight"));
        assertThrows(IllegalArgumentException.class, () -> canonical.storedAt("t.absent.weight"));
    }
}
