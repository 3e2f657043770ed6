package dev.lathe.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.dataset.DatasetOptions.CaptionOptions;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CaptionProcessorTest {

    private static final String CAPTION = "1girl, alice, dark skin, braided hair, earrings, 3D render";
    private static final CaptionOptions PLAIN = CaptionOptions.defaults();

    private static Random random(int i) {
        return Seeds.sample(99, 1, i, 0);
    }

    @Test
    void withoutShuffleOrDropoutTheCaptionIsUsedAsWritten() {
        CaptionProcessor p = new CaptionProcessor(PLAIN.withKeepTokens(2));
        assertEquals("a ,b,,  c", p.process("a ,b,,  c", 1, random(0)));
        assertEquals("first line", p.process("first line\nsecond line", 1, random(0)));
    }

    @Test
    void shuffleKeepsTheFirstTokensAndEveryTag() {
        CaptionProcessor p = new CaptionProcessor(PLAIN.withShuffle(true).withKeepTokens(2));
        Set<String> orders = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            String out = p.process(CAPTION, 1, random(i));
            assertTrue(out.startsWith("1girl, alice, "), out);
            List<String> tags = Arrays.asList(out.split(", "));
            assertEquals(Set.of(CAPTION.split(", ")), new HashSet<>(tags));
            orders.add(out);
        }
        assertTrue(orders.size() > 10, "shuffles: " + orders.size());
        // deterministic for a stream
        assertEquals(p.process(CAPTION, 1, random(5)), p.process(CAPTION, 1, random(5)));
    }

    @Test
    void shuffleStripsTagsAndKeepsEmptyOnes() {
        // kohya without a keep-tokens separator: tags = [t.strip() for t in caption.strip().split(",")],
        // empty tags included, joined with ", ".
        CaptionProcessor p = new CaptionProcessor(PLAIN.withShuffle(true));
        String out = p.process("  a ,b,, c  ", 1, random(3));
        List<String> tags = Arrays.asList(out.split(", ", -1));
        assertEquals(4, tags.size(), out);
        assertEquals(Set.of("a", "b", "", "c"), new HashSet<>(tags));
    }

    @Test
    void keepTokensSeparatorFixesTheHeadAndTail() {
        CaptionProcessor p = new CaptionProcessor(PLAIN.withShuffle(true).withKeepTokensSeparator("|||"));
        for (int i = 0; i < 20; i++) {
            String out = p.process("alice, 1girl ||| smile, red hat, outdoors ||| masterpiece,", 1, random(i));
            assertTrue(out.startsWith("alice, 1girl, "), out);
            assertTrue(out.endsWith(", masterpiece"), out);
            assertEquals(Set.of("smile", "red hat", "outdoors"),
                    new HashSet<>(Arrays.asList(out.substring("alice, 1girl, ".length(),
                            out.length() - ", masterpiece".length()).split(", "))));
        }
    }

    @Test
    void captionDropoutEmptiesWholeCaptions() {
        assertEquals("", new CaptionProcessor(PLAIN.withDropout(1.0, 0)).process(CAPTION, 1, random(0)));
        CaptionProcessor half = new CaptionProcessor(PLAIN.withDropout(0.5, 0));
        int empty = 0;
        for (int i = 0; i < 400; i++) {
            if (half.process(CAPTION, 1, random(i)).isEmpty()) {
                empty++;
            }
        }
        assertTrue(empty > 160 && empty < 240, "dropped " + empty + " of 400");
    }

    @Test
    void dropoutEveryNEpochsEmptiesTheEpochsDivisibleByN() {
        CaptionProcessor p = new CaptionProcessor(PLAIN.withShuffle(true).withDropout(0, 2));
        assertTrue(!p.process(CAPTION, 1, random(0)).isEmpty());
        assertEquals("", p.process(CAPTION, 2, random(0)));
        assertTrue(!p.process(CAPTION, 3, random(0)).isEmpty());
        assertEquals("", p.process(CAPTION, 4, random(0)));
    }

    @Test
    void tagDropoutNeverDropsKeptTokens() {
        CaptionProcessor all = new CaptionProcessor(PLAIN.withKeepTokens(1).withTagDropout(1.0));
        assertEquals("1girl", all.process(CAPTION, 1, random(0)));
        CaptionProcessor some = new CaptionProcessor(PLAIN.withTagDropout(0.5));
        int kept = 0;
        for (int i = 0; i < 100; i++) {
            String out = some.process(CAPTION, 1, random(i));
            kept += out.isEmpty() ? 0 : out.split(", ").length;
        }
        // 6 tags × 100 × 0.5 = 300 expected
        assertTrue(kept > 240 && kept < 360, "kept " + kept);
        // Without shuffle, order is preserved
        String out = some.process(CAPTION, 1, random(1));
        List<String> original = Arrays.asList(CAPTION.split(", "));
        int last = -1;
        for (String tag : out.split(", ")) {
            int at = original.indexOf(tag);
            assertTrue(at > last, out);
            last = at;
        }
    }

    @Test
    void prefixAndSuffixJoinWithSpaces() {
        CaptionProcessor p = new CaptionProcessor(PLAIN.withPrefixSuffix("photo of", "best quality"));
        assertEquals("photo of alice best quality", p.process("alice", 1, random(0)));
    }
}
