package dev.lathe.sd15;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.text.ClipTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tiny model's tokenizer: CLIP's file format and id layout, a working round trip. */
class TinyVocabularyTest {

    @TempDir
    Path folder;

    private ClipTokenizer tokenizer;

    @BeforeEach
    void write() throws IOException {
        TinyVocabulary.write(folder);
        tokenizer = ClipTokenizer.load(folder);
    }

    @Test
    void theIdsAreLaidOutAsClipLaysThemOut() throws IOException {
        JsonNode vocab = new ObjectMapper().readTree(folder.resolve("vocab.json").toFile());
        int size = vocab.size();
        assertEquals(TinyVocabulary.size(), size);
        assertEquals(size, tokenizer.vocabularySize());
        assertEquals(size - 2, tokenizer.startOfText());
        assertEquals(size - 1, tokenizer.endOfText());
        assertEquals(0, tokenizer.id("!"));
        assertEquals(256, tokenizer.id("!</w>"));
        Set<Integer> ids = new HashSet<>();
        vocab.fields().forEachRemaining(e -> ids.add(e.getValue().asInt()));
        assertEquals(size, ids.size(), "each id once");
        List<String> merges = Files.readAllLines(folder.resolve("merges.txt"));
        assertEquals("#version: 0.2", merges.get(0));
        assertEquals(size - 512 - 2, merges.size() - 1, "one token per merge");
        assertTrue(merges.size() > 200 && merges.size() - 1 < TinyVocabulary.MAX_MERGES,
                "every corpus word became one token before the limit: " + merges.size());
    }

    @Test
    void captionWordsAreSingleTokensAndAnyTextRoundTrips() {
        for (String word : List.of("lathecat", "cat", "white", "background", "looking")) {
            assertEquals(1, tokenizer.encode(word).length, word + " → " + tokenizer.pieces(word));
        }
        for (String text : List.of("lathecat, cat, orange fur, green eyes, white background",
                "A photo of a LatheCat sitting on the grass (masterpiece:1.2)",
                "xylophone quokka 123 ünïcödé 😺 \"quotes\"")) {
            int[] ids = tokenizer.encode(text);
            for (int id : ids) {
                assertTrue(id >= 0 && id < tokenizer.startOfText(), "id " + id + " in " + text);
            }
            String decoded = tokenizer.decode(ids);
            assertEquals(tokenizer.normalize(text).replace(" ", ""), decoded.replace(" ", ""), text);
        }
        int[] window = tokenizer.inputIds("lathecat");
        assertEquals(77, window.length);
        assertEquals(tokenizer.startOfText(), window[0]);
        assertEquals(tokenizer.endOfText(), window[2]);
        assertEquals(tokenizer.endOfText(), window[76]);
    }

    @Test
    void learningIsDeterministic() {
        assertEquals(TinyVocabulary.merges(), TinyVocabulary.merges());
    }
}
