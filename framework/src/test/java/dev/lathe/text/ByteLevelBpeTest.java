package dev.lathe.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ByteLevelBpeTest {

    private static final List<String> WORDS = List.of("low", "low", "lower", "newest", "newest", "widest");

    @Test
    void theMostFrequentPairIsMergedFirstAndTiesGoToTheFirstInTextOrder() {
        // Pair counts at the start: "e s", "l o", "s t</w>", "w e" occur 3 times; "e s" sorts first.
        // Then "es t</w>" and "l o" occur 3 times, "es t</w>" first; then "l o".
        List<String> merges = ByteLevelBpe.learnMerges(WORDS, 3);
        assertEquals(List.of("e s", "es t</w>", "l o"), merges);
    }

    @Test
    void learningStopsWhenEveryWordIsOneToken() throws IOException {
        List<String> merges = ByteLevelBpe.learnMerges(WORDS, 1000);
        // each distinct word needs (its length - 1) merges at most; shared pieces need fewer
        assertTrue(merges.size() < 2 + 4 + 5 + 5, merges.toString());
        ClipTokenizer tokenizer = ClipTokenizer.fromMerges(merges);
        for (String word : List.of("low", "lower", "newest", "widest")) {
            assertEquals(List.of(word + "</w>"), tokenizer.pieces(word));
        }
        int[] unseen = tokenizer.encode("lows");
        assertTrue(unseen.length > 1, "an unseen word takes several pieces");
        assertEquals("lows ", tokenizer.decode(unseen));
    }

    @Test
    void idsFollowClipsLayoutAndTheFilesLoad(@TempDir Path folder) throws IOException {
        List<String> merges = ByteLevelBpe.learnMerges(WORDS, 1000);
        Map<String, Integer> ids = ByteLevelBpe.clipIds(merges);
        assertEquals(512 + merges.size() + 2, ids.size());
        List<Integer> order = new ArrayList<>(ids.values());
        for (int i = 0; i < order.size(); i++) {
            assertEquals(i, order.get(i), "in id order");
        }
        assertEquals(0, ids.get("!"));
        assertEquals(256, ids.get("!</w>"));
        assertEquals(512, ids.get(merges.get(0).replace(" ", "")));
        ByteLevelBpe.writeHuggingFace(merges, folder);
        ClipTokenizer loaded = ClipTokenizer.load(folder);
        assertEquals(ClipTokenizer.fromMerges(merges).vocabularySize(), loaded.vocabularySize());
        assertEquals(ids.get("<|startoftext|>"), loaded.startOfText());
        assertEquals(ids.get("<|endoftext|>"), loaded.endOfText());
        assertEquals(ids.get("newest</w>"), loaded.encode("Newest")[0]);
    }

    @Test
    void mergesThatRepeatATokenAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ByteLevelBpe.clipIds(List.of("a b", "a b")));
    }
}
