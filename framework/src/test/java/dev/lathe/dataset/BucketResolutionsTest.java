package dev.lathe.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * kohya's make_bucket_resolutions(max_reso, min_size, max_size, divisible), worked out by hand:
 * the square side is floor(sqrt(W×H) / 64) × 64; then for width = min, min+64, ..., max the height
 * is min(max, (W×H // width) // 64 × 64), kept (with its transpose) when ≥ min.
 */
class BucketResolutionsTest {

    @Test
    void at512() {
        // area 262144, square 512. 262144 // w, then // 64 × 64:
        //   256 -> 1024 -> 1024      320 -> 819 -> 768      384 -> 682 -> 640     448 -> 585 -> 576
        //   512 -> 512 -> 512        576 -> 455 -> 448      640 -> 409 -> 384     704 -> 372 -> 320
        //   768 -> 341 -> 320        832 -> 315 -> 256      896 -> 292 -> 256     960 -> 273 -> 256
        //   1024 -> 256 -> 256
        // Pairs and transposes, duplicates removed, sorted by (width, height): 17 buckets.
        assertEquals(List.of(r(256, 832), r(256, 896), r(256, 960), r(256, 1024), r(320, 704), r(320, 768),
                r(384, 640), r(448, 576), r(512, 512), r(576, 448), r(640, 384), r(704, 320), r(768, 320),
                r(832, 256), r(896, 256), r(960, 256), r(1024, 256)),
                BucketResolutions.make(512, 512, 256, 1024, 64));
    }

    @Test
    void at768() {
        // area 589824, square 768. Heights capped at max 1024:
        //   256 -> 2304 -> 1024   320 -> 1843 -> 1792 -> 1024   384 -> 1536 -> 1024   448 -> 1316 -> 1280 -> 1024
        //   512 -> 1152 -> 1024   576 -> 1024 -> 1024          640 -> 921 -> 896     704 -> 837 -> 832
        //   768 -> 768            832 -> 708 -> 704            896 -> 658 -> 640     960 -> 614 -> 576
        //   1024 -> 576 -> 576
        // (576, 1024) and (1024, 576) come twice (from 576 and 1024), (576, 960) from 960's transpose: 19 buckets.
        assertEquals(List.of(r(256, 1024), r(320, 1024), r(384, 1024), r(448, 1024), r(512, 1024), r(576, 960),
                r(576, 1024), r(640, 896), r(704, 832), r(768, 768), r(832, 704), r(896, 640), r(960, 576),
                r(1024, 256), r(1024, 320), r(1024, 384), r(1024, 448), r(1024, 512), r(1024, 576)),
                BucketResolutions.make(768, 768, 256, 1024, 64));
    }

    @Test
    void at1024WithKohyaDefaults() {
        // area 1048576: 1048576 // w ≥ 1024 for every w ≤ 1024, so every height is capped at 1024:
        // (w, 1024) and (1024, w) for w = 256..1024, i.e. 12 + 12 + the square = 25 buckets.
        List<Resolution> expected = new ArrayList<>();
        for (int w = 256; w <= 960; w += 64) {
            expected.add(r(w, 1024));
        }
        expected.add(r(1024, 1024));
        for (int h = 256; h <= 960; h += 64) {
            expected.add(r(1024, h));
        }
        expected.sort(null);
        assertEquals(expected, BucketResolutions.make(1024, 1024, 256, 1024, 64));
    }

    @Test
    void at1024UpTo2048AsSdxlUsersSetIt() {
        // area 1048576, max 2048. 1048576 // w // 64 × 64:
        //   256..512 -> ≥ 2048 -> 2048   576 -> 1820 -> 1792   640 -> 1638 -> 1600   704 -> 1489 -> 1472
        //   768 -> 1365 -> 1344          832 -> 1260 -> 1216   896 -> 1170 -> 1152   960 -> 1092 -> 1088
        //   1024 -> 1024                 1088 -> 963 -> 960    1152 -> 910 -> 896    1216 -> 862 -> 832
        //   1280 -> 819 -> 768           1344 -> 780 -> 768    1408 -> 744 -> 704    1472 -> 712 -> 704
        //   1536 -> 682 -> 640           1600 -> 655 -> 640    1664 -> 630 -> 576    1728 -> 606 -> 576
        //   1792 -> 585 -> 576           1856 -> 564 -> 512    1920 -> 546 -> 512    1984 -> 528 -> 512
        //   2048 -> 512 -> 512
        int[][] pairs = {{256, 2048}, {320, 2048}, {384, 2048}, {448, 2048}, {512, 2048}, {576, 1792}, {640, 1600},
            {704, 1472}, {768, 1344}, {832, 1216}, {896, 1152}, {960, 1088}, {1024, 1024}, {1088, 960},
            {1152, 896}, {1216, 832}, {1280, 768}, {1344, 768}, {1408, 704}, {1472, 704}, {1536, 640},
            {1600, 640}, {1664, 576}, {1728, 576}, {1792, 576}, {1856, 512}, {1920, 512}, {1984, 512},
            {2048, 512}};
        java.util.TreeSet<Resolution> expected = new java.util.TreeSet<>();
        for (int[] p : pairs) {
            expected.add(r(p[0], p[1]));
            expected.add(r(p[1], p[0]));
        }
        assertEquals(List.copyOf(expected), BucketResolutions.make(1024, 1024, 256, 2048, 64));
    }

    @Test
    void nonSquareResolutionUsesItsArea() {
        // 512x768: area 393216, square floor(627.07 / 64) × 64 = 576; width 512 -> 768, 640 -> 614 -> 576.
        List<Resolution> buckets = BucketResolutions.make(512, 768, 256, 1024, 64);
        assertEquals(true, buckets.contains(r(576, 576)));
        assertEquals(true, buckets.contains(r(512, 768)));
        assertEquals(true, buckets.contains(r(768, 512)));
        assertEquals(true, buckets.contains(r(640, 576)));
    }

    static Resolution r(int w, int h) {
        return new Resolution(w, h);
    }
}
