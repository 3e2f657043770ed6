package dev.lathe.dataset;

import static dev.lathe.dataset.BucketResolutionsTest.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.SizeConditioning;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BucketSelectorTest {

    private static final Path FILE = Path.of("image.png");
    private final BucketSelector at512 = BucketSelector.predefined(BucketResolutions.make(512, 512, 256, 1024, 64));

    @Test
    void portraitGoesToTheBucketWithTheClosestRatio() {
        // 640x768: ratio 0.8333. Candidates: 448/576 = 0.7778 (error 0.0556), 512/512 = 1 (0.1667),
        // 384/640 = 0.6 (0.2333): (448, 576). The image is wider than the bucket's 0.7778, so it is
        // scaled to the bucket's height: 576/768 = 0.75 -> (480, 576); the width is then cropped.
        BucketAssignment a = at512.select(640, 768, FILE);
        assertEquals(r(448, 576), a.bucket());
        assertEquals(r(480, 576), a.resized());
        assertEquals(448.0 / 576 - 640.0 / 768, a.aspectRatioError(), 0);
    }

    @Test
    void squareAndExactSizes() {
        // 1000x1000 -> (512, 512), scaled by 0.512 -> 512.5 + 0.5 -> 512... int(1000*0.512+0.5) = 512.
        BucketAssignment square = at512.select(1000, 1000, FILE);
        assertEquals(r(512, 512), square.bucket());
        assertEquals(r(512, 512), square.resized());
        // An image exactly of a bucket's size keeps it, even if another bucket has the same ratio.
        assertEquals(r(320, 768), at512.select(320, 768, FILE).bucket());
        assertEquals(r(320, 768), at512.select(320, 768, FILE).resized());
    }

    @Test
    void landscapeScalesToTheBucketWidthWhenNarrower() {
        // 900x500: ratio 1.8. (896, 256)=3.5, (704, 320)=2.2, (640, 384)=1.667 (error 0.1333),
        // (768, 320)=2.4, (576, 448)=1.2857: best (640, 384). 1.8 > 1.667: scale to height 384/500 = 0.768
        // -> (int(691.2 + 0.5), int(384 + 0.5)) = (691, 384).
        BucketAssignment a = at512.select(900, 500, FILE);
        assertEquals(r(640, 384), a.bucket());
        assertEquals(r(691, 384), a.resized());
        // 500x900 (ratio 0.5556): (384, 640)=0.6 error 0.0444, (320, 704)=0.4545: (384, 640);
        // 0.5556 < 0.6 so scale to width 384/500 = 0.768 -> (384, 691).
        BucketAssignment b = at512.select(500, 900, FILE);
        assertEquals(r(384, 640), b.bucket());
        assertEquals(r(384, 691), b.resized());
    }

    @Test
    void noUpscaleKeepsSmallImagesAndShrinksLargeOnes() {
        BucketSelector noUpscale = BucketSelector.noUpscale(512L * 512, 64);
        // 500x300 fits in the area: no resize, bucket = sizes rounded down to 64: (448, 256).
        BucketAssignment small = noUpscale.select(500, 300, FILE);
        assertEquals(r(500, 300), small.resized());
        assertEquals(r(448, 256), small.bucket());
        // 1024x1024 exceeds 262144: resized_width = sqrt(262144 × 1) = 512, height 512; both roundings
        // give 512 with no ratio error; the height-rounded branch wins the tie: (512, 512).
        BucketAssignment big = noUpscale.select(1024, 1024, FILE);
        assertEquals(r(512, 512), big.resized());
        assertEquals(r(512, 512), big.bucket());
        // 1200x800 (ratio 1.5): resized_width = sqrt(262144 × 1.5) = 627.07, height 418.05.
        // Width rounded: int(627.57) = 627 -> 576; height for it int(384.5) = 384 -> 384; ratio 1.5 exactly.
        // Height rounded: int(418.55) = 418 -> 384; width for it int(576.5) = 576 -> 576; ratio 1.5.
        // Equal errors: the height branch: (int(384 × 1.5 + 0.5), 384) = (576, 384); bucket (576, 384).
        BucketAssignment wide = noUpscale.select(1200, 800, FILE);
        assertEquals(r(576, 384), wide.resized());
        assertEquals(r(576, 384), wide.bucket());
    }

    @Test
    void noUpscaleRefusesImagesSmallerThanAStep() {
        BucketSelector noUpscale = BucketSelector.noUpscale(512L * 512, 64);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> noUpscale.select(50, 300, FILE));
        assertTrue(e.getMessage().contains("image.png") && e.getMessage().contains("50x300"), e.getMessage());
    }

    @Test
    void cropBoxAndSizeConditioningAsKohya() {
        // get_crop_ltrb((448, 576), (640, 768)): bucket ratio 0.7778 < image 0.8333, so the image is
        // fitted to the bucket width: 448 x 537.6; left 0, top (576 - 537.6) // 2 = 19.0, right 448,
        // bottom 556.6.
        double[] ltrb = TrainingImage.cropLtrb(r(448, 576), 640, 768);
        assertEquals(0.0, ltrb[0]);
        assertEquals(19.0, ltrb[1]);
        assertEquals(448.0, ltrb[2]);
        assertEquals(19.0 + 448 / (640.0 / 768), ltrb[3], 1e-12);
        assertEquals(new SizeConditioning(768, 640, 19, 0, 576, 448),
                TrainingImage.sizeConditioning(r(448, 576), 640, 768, false));
        // Flipped: left = 448 - right = 0.
        assertEquals(new SizeConditioning(768, 640, 19, 0, 576, 448),
                TrainingImage.sizeConditioning(r(448, 576), 640, 768, true));
        // (640, 384) for 900x500: bucket ratio 1.667 < 1.8: width 640, height 355.56; top (384 - 355.56) // 2 = 14.
        // A wider bucket than the image, (512, 512) for 400x600: height 512, width 341.33;
        // left (512 - 341.33) // 2 = 85.0, right 426.33; flipped left = int(512 - 426.33) = 85.
        assertEquals(new SizeConditioning(500, 900, 14, 0, 384, 640),
                TrainingImage.sizeConditioning(r(640, 384), 900, 500, false));
        assertEquals(new SizeConditioning(600, 400, 0, 85, 512, 512),
                TrainingImage.sizeConditioning(r(512, 512), 400, 600, false));
        assertEquals(new SizeConditioning(600, 400, 0, 85, 512, 512),
                TrainingImage.sizeConditioning(r(512, 512), 400, 600, true));
        // 300x600 into (512, 512): width 256, left 128, right 384; flipped 512 - 384 = 128.
        // 301x600: width 256.85, left floor(127.57) = 127, right 383.85, flipped int(128.15) = 128.
        assertEquals(127, TrainingImage.sizeConditioning(r(512, 512), 301, 600, false).cropLeft());
        assertEquals(128, TrainingImage.sizeConditioning(r(512, 512), 301, 600, true).cropLeft());
    }

    @Test
    void resizeAndCenterCrop() {
        // A 6x4 image whose pixel value encodes its column, into bucket (4, 4) from resized (6, 4):
        // trim 2 columns, center offset 1: columns 1..4 remain.
        byte[] rgb = new byte[6 * 4 * 3];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 6; x++) {
                for (int c = 0; c < 3; c++) {
                    rgb[(y * 6 + x) * 3 + c] = (byte) (10 * x);
                }
            }
        }
        RgbImage image = new RgbImage(6, 4, rgb);
        RgbImage cropped = TrainingImage.resizeAndCrop(image, new BucketAssignment(r(4, 4), r(6, 4), 0), false, null);
        assertEquals(4, cropped.width());
        assertEquals(10, cropped.get(0, 0, 0));
        assertEquals(40, cropped.get(3, 3, 2));
        // Random crop: an offset 0..2 drawn from the sample's stream.
        java.util.Set<Integer> offsets = new java.util.HashSet<>();
        for (int seed = 0; seed < 40; seed++) {
            RgbImage random = TrainingImage.resizeAndCrop(image, new BucketAssignment(r(4, 4), r(6, 4), 0), true,
                    Seeds.sample(3, 1, seed, 0));
            offsets.add(random.get(0, 0, 0) / 10);
        }
        assertEquals(java.util.Set.of(0, 1, 2), offsets);
    }
}
