package dev.lathe.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A1111's window layout. On the synthetic vocabulary every word is one token, so the expected
 * windows follow from the rules by counting; the real vocabulary checks the same rules against
 * the long prompts of tokens.json.
 */
class PromptChunkerTest {

    private static final int PAD = 0;

    private final ClipTokenizer tokenizer = SyntheticVocabulary.tokenizer();
    private final int sot = tokenizer.startOfText();
    private final int eot = tokenizer.endOfText();
    private final int cat = tokenizer.id("cat</w>");
    private final int dog = tokenizer.id("dog</w>");
    private final int hat = tokenizer.id("hat</w>");
    private final int comma = tokenizer.id(",</w>");

    @Test
    void anEmptyPromptIsOneEmptyWindow() {
        PromptChunks chunks = new PromptChunker(tokenizer, PAD).chunk("");
        assertEquals(1, chunks.count());
        assertArrayEquals(window(PAD), chunks.ids().get(0));
        assertArrayEquals(ones(), chunks.weights().get(0));
        assertEquals(0, chunks.tokenCount());
    }

    @Test
    void aShortPromptIsStartTokensEndAndPadding() {
        assertArrayEquals(window(PAD, cat, dog), new PromptChunker(tokenizer, PAD).chunk("cat dog").ids().get(0));
        assertArrayEquals(window(eot, cat, dog), new PromptChunker(tokenizer, eot).chunk("cat dog").ids().get(0));
    }

    @Test
    void longPromptsFillWindowsOf75() {
        PromptChunks chunks = new PromptChunker(tokenizer, PAD).chunk("cat ".repeat(80));
        assertEquals(2, chunks.count());
        assertArrayEquals(window(PAD, repeat(cat, 75)), chunks.ids().get(0));
        assertArrayEquals(window(PAD, repeat(cat, 5)), chunks.ids().get(1));
        assertEquals(75 + 5, chunks.tokenCount());
        int[] flat = chunks.flatIds();
        assertEquals(2 * ClipTokenizer.CONTEXT_LENGTH, flat.length);
        assertArrayEquals(chunks.ids().get(1), Arrays.copyOfRange(flat, 77, 154));
    }

    @Test
    void exactly75TokensFitOneWindow() {
        PromptChunks chunks = new PromptChunker(tokenizer, PAD).chunk("cat ".repeat(75));
        assertEquals(1, chunks.count());
        assertArrayEquals(window(PAD, repeat(cat, 75)), chunks.ids().get(0));
    }

    /** Comma at 60, full at 75: the 14 tokens after the comma move on with the rest. */
    @Test
    void aPhraseCutByTheWindowEndMovesToTheNextWindow() {
        String prompt = "cat ".repeat(60) + ", " + "dog ".repeat(20);
        PromptChunks chunks = new PromptChunker(tokenizer, PAD).chunk(prompt);
        assertEquals(2, chunks.count());
        assertArrayEquals(window(PAD, concat(repeat(cat, 60), new int[] {comma})), chunks.ids().get(0));
        assertArrayEquals(window(PAD, repeat(dog, 20)), chunks.ids().get(1));
        assertEquals(75 + 20, chunks.tokenCount());

        PromptChunks hardCut = new PromptChunker(tokenizer, PAD, 0).chunk(prompt);
        assertArrayEquals(window(PAD, concat(repeat(cat, 60), new int[] {comma}, repeat(dog, 14))),
                hardCut.ids().get(0));
        assertArrayEquals(window(PAD, repeat(dog, 6)), hardCut.ids().get(1));
    }

    /** Comma at 50, 25 tokens before the window's end: more than 20 back, so the cut stays. */
    @Test
    void aCommaTooFarBackDoesNotMoveTheCut() {
        String prompt = "cat ".repeat(50) + ", " + "dog ".repeat(30);
        PromptChunks chunks = new PromptChunker(tokenizer, PAD).chunk(prompt);
        assertArrayEquals(window(PAD, concat(repeat(cat, 50), new int[] {comma}, repeat(dog, 24))),
                chunks.ids().get(0));
        assertArrayEquals(window(PAD, repeat(dog, 6)), chunks.ids().get(1));
    }

    @Test
    void breakStartsANewWindow() {
        PromptChunker chunker = new PromptChunker(tokenizer, PAD);
        PromptChunks two = chunker.chunk("cat BREAK dog");
        assertEquals(2, two.count());
        assertArrayEquals(window(PAD, cat), two.ids().get(0));
        assertArrayEquals(window(PAD, dog), two.ids().get(1));
        assertEquals(75 + 1, two.tokenCount(), "a closed window counts whole");

        PromptChunks leading = chunker.chunk("BREAK cat");
        assertEquals(2, leading.count(), "A1111 closes the empty window too");
        assertArrayEquals(window(PAD), leading.ids().get(0));
        assertEquals(1, chunker.chunk("cat BREAK").count(), "nothing after a trailing break");
    }

    @Test
    void everyTokenCarriesItsSegmentsWeight() {
        PromptChunks chunks = new PromptChunker(tokenizer, PAD).chunk("(cat) [dog] (hat:1.5), cat");
        assertArrayEquals(window(PAD, cat, dog, hat, comma, cat), chunks.ids().get(0));
        float[] expected = ones();
        expected[1] = (float) 1.1;
        expected[2] = (float) (1 / 1.1);
        expected[3] = (float) 1.5;
        assertArrayEquals(expected, chunks.weights().get(0));
    }

    @Test
    void weightsFollowTokensIntoTheNextWindow() {
        String prompt = "cat ".repeat(60) + ", " + "(dog:1.5) ".repeat(20);
        PromptChunks chunks = new PromptChunker(tokenizer, PAD).chunk(prompt);
        float[] second = chunks.weights().get(1);
        assertTrue(IntStream.rangeClosed(1, 20).allMatch(i -> second[i] == 1.5f));
        assertEquals(1f, second[21]);
        float[] flat = chunks.flatWeights();
        assertEquals(1.5f, flat[77 + 1]);
    }

    @Test
    void tagsAreNotTokenized() {
        assertArrayEquals(window(PAD, cat), new PromptChunker(tokenizer, PAD).chunk("<lora:x:1>cat").ids().get(0));
    }

    @Test
    void paddingAddsEmptyPromptWindows() {
        PromptChunker chunker = new PromptChunker(tokenizer, PAD);
        PromptChunks padded = chunker.padTo(chunker.chunk("cat"), 3);
        assertEquals(3, padded.count());
        assertArrayEquals(window(PAD, cat), padded.ids().get(0));
        assertArrayEquals(window(PAD), padded.ids().get(1));
        assertArrayEquals(window(PAD), padded.ids().get(2));
        assertArrayEquals(ones(), padded.weights().get(2));
        assertEquals(1, padded.tokenCount());
    }

    /**
     * The real vocabulary and the long prompts of tokens.json: the windows hold exactly the
     * reference's tokens in order, at most 75 each, and a window ends early only after a comma
     * no more than 20 tokens before its end.
     */
    @Test
    void realLongPromptsKeepEveryTokenAndCutAtCommas() {
        ClipTokenizer real = SharedVocabulary.openAi();
        int realComma = real.id(",</w>");
        PromptChunker chunker = new PromptChunker(real, real.endOfText());
        int windowsChecked = 0;
        for (TokenFixtures.Prompt prompt : TokenFixtures.load().prompts()) {
            if (!prompt.truncated() || prompt.prompt().matches(".*[()\\[\\]<\\\\].*|.*BREAK.*")) {
                continue;
            }
            PromptChunks chunks = chunker.chunk(prompt.prompt());
            List<Integer> tokens = new ArrayList<>();
            for (int w = 0; w < chunks.count(); w++) {
                int[] ids = chunks.ids().get(w);
                assertEquals(real.startOfText(), ids[0]);
                int length = 1;
                while (ids[length] != real.endOfText()) {
                    tokens.add(ids[length++]);
                }
                int content = length - 1;
                assertTrue(content <= 75);
                if (w < chunks.count() - 1 && content < 75) {
                    assertEquals(realComma, ids[content], "an early cut comes after a comma");
                    assertTrue(75 - content < PromptChunker.DEFAULT_COMMA_BACKTRACK);
                }
                windowsChecked++;
            }
            assertEquals(Arrays.stream(prompt.ids()).boxed().toList(), tokens, prompt.toString());
            assertTrue(chunks.count() >= (prompt.ids().length + 74) / 75, prompt.toString());
        }
        assertTrue(windowsChecked >= 4, "the fixture's long prompts were found");
    }

    /** Start token, {@code tokens}, end token, then {@code pad} up to 77 (the definition of a window). */
    private int[] window(int pad, int... tokens) {
        int[] window = new int[ClipTokenizer.CONTEXT_LENGTH];
        Arrays.fill(window, pad);
        window[0] = sot;
        System.arraycopy(tokens, 0, window, 1, tokens.length);
        window[tokens.length + 1] = eot;
        return window;
    }

    private static int[] repeat(int token, int times) {
        int[] tokens = new int[times];
        Arrays.fill(tokens, token);
        return tokens;
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    private static float[] ones() {
        float[] ones = new float[ClipTokenizer.CONTEXT_LENGTH];
        Arrays.fill(ones, 1f);
        return ones;
    }
}
