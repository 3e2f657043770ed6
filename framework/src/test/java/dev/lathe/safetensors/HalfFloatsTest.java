package dev.lathe.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * F16 and BF16 conversions, checked against their definitions over every 16-bit pattern and at
 * every rounding midpoint.
 */
class HalfFloatsTest {

    private static final int F16_INFINITY = 0x7C00;
    private static final int BF16_INFINITY = 0x7F80;

    /** IEEE binary16: (-1)^s * 2^(e-15) * 1.m, subnormal (e = 0) 2^-14 * 0.m, e = 31 infinity or NaN. */
    @Test
    void f16ToF32MatchesTheDefinitionForAllPatterns() {
        for (int h = 0; h <= 0xFFFF; h++) {
            int bits = h; // for the lazily built failure messages
            int sign = h >>> 15;
            int exponent = (h >>> 10) & 0x1F;
            int mantissa = h & 0x3FF;
            float actual = HalfFloats.f16ToF32((short) h);
            if (exponent == 0x1F && mantissa != 0) {
                assertTrue(Float.isNaN(actual), () -> hex(bits));
                continue;
            }
            double magnitude = exponent == 0x1F ? Double.POSITIVE_INFINITY
                    : exponent == 0 ? Math.scalb(mantissa / 1024.0, -14)
                    : Math.scalb(1 + mantissa / 1024.0, exponent - 15);
            float expected = (float) (sign == 1 ? -magnitude : magnitude);
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), () -> hex(bits));
        }
    }

    @Test
    void f16SurvivesTheRoundTripThroughF32() {
        for (int h = 0; h <= 0xFFFF; h++) {
            int bits = h; // for the lazily built failure messages
            int back = HalfFloats.f32ToF16(HalfFloats.f16ToF32((short) h)) & 0xFFFF;
            if (isF16NaN(h)) {
                assertTrue(isF16NaN(back), () -> hex(bits) + " stays NaN");
                assertEquals(h & 0x8000, back & 0x8000, () -> "sign of " + hex(bits));
            } else {
                assertEquals(h, back, () -> hex(bits));
            }
        }
    }

    /** Bfloat16 is the upper half of a float32. */
    @Test
    void bf16SurvivesTheRoundTripThroughF32() {
        for (int h = 0; h <= 0xFFFF; h++) {
            int bits = h; // for the lazily built failure messages
            float value = HalfFloats.bf16ToF32((short) h);
            assertEquals(h << 16, Float.floatToRawIntBits(value), () -> hex(bits));
            int back = HalfFloats.f32ToBf16(value) & 0xFFFF;
            if (Float.isNaN(value)) {
                assertTrue(Float.isNaN(HalfFloats.bf16ToF32((short) back)), () -> hex(bits) + " stays NaN");
                assertEquals(h & 0x8000, back & 0x8000, () -> "sign of " + hex(bits));
            } else {
                assertEquals(h, back, () -> hex(bits));
            }
        }
    }

    /**
     * Between two neighbouring halves (subnormals and the largest finite included), the exact
     * midpoint rounds to the one with an even mantissa, and anything nearer to one rounds to it.
     * Above the largest finite half the next step is infinity, so 65520 and up overflow.
     */
    @Test
    void f32ToF16RoundsToNearestTiesToEven() {
        for (int h = 0; h < F16_INFINITY; h++) {
            double low = HalfFloats.f16ToF32((short) h);
            double high = h + 1 == F16_INFINITY ? 65536.0 : HalfFloats.f16ToF32((short) (h + 1));
            float midpoint = (float) ((low + high) / 2); // exact: halves have 11 significant bits
            assertEquals((low + high) / 2, midpoint, 0.0);
            int even = (h & 1) == 0 ? h : h + 1;
            assertRoundsTo(even, midpoint);
            assertRoundsTo(h, Math.nextDown(midpoint));
            assertRoundsTo(h + 1, Math.nextUp(midpoint));
        }
    }

    @Test
    void f32ToF16OverflowsToInfinityAndUnderflowsToZero() {
        assertRoundsTo(0x7BFF, 65504f);
        assertRoundsTo(0x7BFF, 65519.996f);
        assertRoundsTo(F16_INFINITY, 65520f);
        assertRoundsTo(F16_INFINITY, 1e10f);
        assertRoundsTo(F16_INFINITY, Float.MAX_VALUE);
        assertRoundsTo(F16_INFINITY, Float.POSITIVE_INFINITY);
        assertRoundsTo(0x0001, 0x1p-24f); // smallest subnormal
        assertRoundsTo(0x0000, 0x1p-25f); // half of it: a tie, to even zero
        assertRoundsTo(0x0001, Math.nextUp(0x1p-25f));
        assertRoundsTo(0x0000, 0x1p-26f);
        assertRoundsTo(0x0000, Float.MIN_VALUE);
        assertRoundsTo(0x0000, 0f); // and -0f to 0x8000
        assertTrue(isF16NaN(HalfFloats.f32ToF16(Float.NaN) & 0xFFFF));
    }

    /** The same midpoint property for bfloat16: the midpoint of h and h + 1 has the bit pattern h:8000. */
    @Test
    void f32ToBf16RoundsToNearestTiesToEven() {
        for (int h = 0; h < BF16_INFINITY; h++) {
            int bits = h; // for the lazily built failure messages
            int midpoint = (h << 16) | 0x8000;
            int even = (h & 1) == 0 ? h : h + 1;
            assertEquals(even, HalfFloats.f32ToBf16(Float.intBitsToFloat(midpoint)) & 0xFFFF, () -> hex(bits));
            assertEquals(h, HalfFloats.f32ToBf16(Float.intBitsToFloat(midpoint - 1)) & 0xFFFF, () -> hex(bits));
            assertEquals(h + 1, HalfFloats.f32ToBf16(Float.intBitsToFloat(midpoint + 1)) & 0xFFFF, () -> hex(bits));
            assertEquals(even | 0x8000, HalfFloats.f32ToBf16(Float.intBitsToFloat(midpoint | 0x80000000)) & 0xFFFF,
                    () -> hex(bits | 0x8000));
        }
        assertEquals(BF16_INFINITY, HalfFloats.f32ToBf16(Float.MAX_VALUE) & 0xFFFF);
        assertTrue(Float.isNaN(HalfFloats.bf16ToF32(HalfFloats.f32ToBf16(Float.NaN))));
    }

    private static void assertRoundsTo(int expected, float value) {
        assertEquals(expected, HalfFloats.f32ToF16(value) & 0xFFFF, () -> value + " -> " + hex(expected));
        assertEquals(expected | 0x8000, HalfFloats.f32ToF16(-value) & 0xFFFF, () -> -value + " -> -" + hex(expected));
    }

    private static boolean isF16NaN(int h) {
        return (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0;
    }

    private static String hex(int h) {
        return String.format("0x%04X", h);
    }
}
