package dev.lathe.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer's mechanics on a synthetic vocabulary: runs without the shared fixtures. */
class ClipTokenizerTest {

    @TempDir
    Path temp;

    private final ClipTokenizer tokenizer = SyntheticVocabulary.tokenizer();

    /** CLIP's derivation: byte symbols, byte symbols with {@code </w>}, merges, then the specials. */
    @Test
    void idsAreDerivedAsClipDerivesThem() {
        int merges = SyntheticVocabulary.MERGES.size();
        assertEquals(512 + merges + 2, tokenizer.vocabularySize());
        assertEquals(512 + merges, tokenizer.startOfText());
        assertEquals(512 + merges + 1, tokenizer.endOfText());
        // Printable ASCII comes first in the byte table, from '!' on.
        assertEquals('a' - '!', tokenizer.id("a"));
        assertEquals(256 + 'a' - '!', tokenizer.id("a</w>"));
        // The 68 non-printable bytes come after the 188 printable ones, moved to U+0100 onwards.
        assertEquals(188, tokenizer.id("\u0100"));
        assertEquals("\u0120", tokenizer.token(188 + ' '), "space, the 33rd non-printable byte, is U+0120");
        for (int rank = 0; rank < merges; rank++) {
            String[] pair = SyntheticVocabulary.MERGES.get(rank).split(" ");
            assertEquals(SyntheticVocabulary.mergeId(rank), tokenizer.id(pair[0] + pair[1]));
        }
    }

    @Test
    void mergesApplyLowestRankFirst() {
        assertEquals(List.of("cat</w>"), tokenizer.pieces("cat"));
        assertArrayEquals(new int[] {SyntheticVocabulary.mergeId(2)}, tokenizer.encode("cat"));
        assertEquals(List.of("hat</w>"), tokenizer.pieces("hat"));
        // "ca" then "t": the word "cats" has no merge for "s"; "cat" inside it is not a word end.
        assertEquals(List.of("ca", "t", "s</w>"), tokenizer.pieces("cats"));
    }

    @Test
    void wordsAreSplitAsClipSplitsThem() {
        assertEquals(List.of("red</w>", ",</w>", "dog</w>"), tokenizer.pieces("Red,dog"));
        assertEquals(List.of("1</w>", "2</w>", "cat</w>"), tokenizer.pieces("12cat"), "digits are one word each");
        assertEquals(List.of("do", "n</w>", "'", "t</w>"), tokenizer.pieces("don't"), "clitics are words");
        assertEquals(List.of("'", "s</w>", "h", "e</w>"), tokenizer.pieces("'she"), "even before a word");
        assertEquals(List.of("!?</w>"), withMerges("! ?</w>").pieces("!?"), "other characters run together");
        assertEquals(List.of("<|endoftext|>", "cat</w>"), tokenizer.pieces("<|endoftext|>cat"));
        assertArrayEquals(new int[] {tokenizer.endOfText()}, tokenizer.encode("<|ENDOFTEXT|>"));
    }

    /** Bytes beyond ASCII go through the byte table: an e with acute accent is two symbols. */
    @Test
    void nonAsciiTextIsEncodedByteByByte() {
        byte[] utf8 = "é".getBytes(StandardCharsets.UTF_8);
        String first = String.valueOf((char) (utf8[0] & 0xFF));
        String second = String.valueOf((char) (utf8[1] & 0xFF)) + "</w>";
        assertEquals(List.of(first, second), tokenizer.pieces("é"));
        assertEquals("é ", tokenizer.decode(tokenizer.encode("é")));
    }

    @Test
    void inputIdsAreStartTokensEndAndPadding() {
        int sot = tokenizer.startOfText();
        int eot = tokenizer.endOfText();
        int cat = SyntheticVocabulary.mergeId(2);
        int[] padded = tokenizer.inputIds("cat cat");
        assertEquals(ClipTokenizer.CONTEXT_LENGTH, padded.length);
        assertArrayEquals(new int[] {sot, cat, cat, eot, eot}, Arrays.copyOf(padded, 5));
        assertTrue(IntStream.of(padded).skip(3).allMatch(id -> id == eot), "padded with the end token");

        int[] zeroPadded = tokenizer.inputIds("cat cat", 0);
        assertArrayEquals(new int[] {sot, cat, cat, eot, 0}, Arrays.copyOf(zeroPadded, 5));
        assertTrue(IntStream.of(zeroPadded).skip(4).allMatch(id -> id == 0));

        int[] empty = tokenizer.inputIds("", 0);
        assertEquals(sot, empty[0]);
        assertEquals(eot, empty[1]);
        assertEquals(0, empty[2]);
    }

    @Test
    void longTextsAreCutTo75Tokens() {
        int[] ids = tokenizer.inputIds("cat ".repeat(100), 0);
        int cat = SyntheticVocabulary.mergeId(2);
        assertEquals(tokenizer.startOfText(), ids[0]);
        assertTrue(IntStream.range(1, 76).allMatch(i -> ids[i] == cat));
        assertEquals(tokenizer.endOfText(), ids[76]);
        assertEquals(100, tokenizer.encode("cat ".repeat(100)).length, "encode itself does not truncate");
    }

    @Test
    void decodeGivesTheNormalizedTextBack() {
        assertEquals("red cat , dog ", tokenizer.decode(tokenizer.encode("  RED   cat, dog ")));
    }

    @Test
    void allThreeWaysToLoadGiveTheSameTokenizer() throws IOException {
        ClipTokenizer openAi = ClipTokenizer.fromOpenAiVocabulary(SyntheticVocabulary.writeOpenAi(temp));
        Path hf = SyntheticVocabulary.writeHuggingFace(temp.resolve("hf"));
        ClipTokenizer huggingFace = ClipTokenizer.fromHuggingFace(hf.resolve("vocab.json"), hf.resolve("merges.txt"));
        for (ClipTokenizer loaded : List.of(openAi, huggingFace, ClipTokenizer.load(temp), ClipTokenizer.load(hf))) {
            assertEquals(tokenizer.vocabularySize(), loaded.vocabularySize());
            for (int id = 0; id < tokenizer.vocabularySize(); id++) {
                assertEquals(tokenizer.token(id), loaded.token(id));
            }
            assertArrayEquals(tokenizer.inputIds("a red cat, a dog"), loaded.inputIds("a red cat, a dog"));
        }
    }

    @Test
    void vocabularyAndMergesThatDoNotBelongTogetherAreRefused() throws IOException {
        Path hf = SyntheticVocabulary.writeHuggingFace(temp);
        Files.writeString(hf.resolve("merges.txt"), "#version: 0.2\nc a\nd o\nb i\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ClipTokenizer.fromHuggingFace(hf.resolve("vocab.json"), hf.resolve("merges.txt")));
        assertTrue(e.getMessage().contains(hf.resolve("merges.txt").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("[bi]"), e.getMessage());
    }

    @Test
    void damagedFilesAreRefusedNamingTheFile() throws IOException {
        Path merges = Files.writeString(temp.resolve("merges.txt"), "#version: 0.2\nc a\nthree parts here\n");
        Files.write(temp.resolve("vocab.json"), SyntheticVocabulary.vocabJson());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ClipTokenizer.fromHuggingFace(temp.resolve("vocab.json"), merges));
        assertTrue(e.getMessage().contains("Line 3") && e.getMessage().contains(merges.toString()), e.getMessage());

        Path json = Files.writeString(temp.resolve("bad.json"), "[1, 2]");
        Path goodMerges = Files.write(temp.resolve("good-merges.txt"), SyntheticVocabulary.mergesTxt());
        e = assertThrows(InvalidInputException.class, () -> ClipTokenizer.fromHuggingFace(json, goodMerges));
        assertTrue(e.getMessage().contains(json.toString()), e.getMessage());

        Path sparse = Files.writeString(temp.resolve("sparse.json"), "{\"a\": 0, \"b\": 1000000000}");
        e = assertThrows(InvalidInputException.class, () -> ClipTokenizer.fromHuggingFace(sparse, goodMerges));
        assertTrue(e.getMessage().contains(sparse.toString()) && e.getMessage().contains("0 to 1"), e.getMessage());

        Path notGzip = Files.writeString(temp.resolve("bpe.txt.gz"), "not gzip");
        e = assertThrows(InvalidInputException.class, () -> ClipTokenizer.fromOpenAiVocabulary(notGzip));
        assertTrue(e.getMessage().contains(notGzip.toString()), e.getMessage());

        Path nothing = Files.createDirectory(temp.resolve("empty"));
        e = assertThrows(InvalidInputException.class, () -> ClipTokenizer.load(nothing));
        assertTrue(e.getMessage().contains(nothing.toString()) && e.getMessage().contains("vocab.json"));
    }

    private static ClipTokenizer withMerges(String... merges) {
        return ClipTokenizer.fromMerges(List.of(merges));
    }
}
