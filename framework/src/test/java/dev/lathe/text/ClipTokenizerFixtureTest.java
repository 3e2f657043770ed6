package dev.lathe.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every prompt of {@code tokens.json} gives exactly the reference's normalized text, BPE pieces,
 * ids and 77-token input ids, with the vocabulary read from OpenAI's file and from the Hugging
 * Face pair alike (both from the shared fixtures, never copied into the repository).
 */
class ClipTokenizerFixtureTest {

    private static final TokenFixtures FIXTURES = TokenFixtures.load();

    static List<TokenFixtures.Prompt> prompts() {
        return FIXTURES.prompts();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("prompts")
    void openAiVocabularyMatchesTheReference(TokenFixtures.Prompt prompt) {
        assertMatches(SharedVocabulary.openAi(), prompt);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("prompts")
    void huggingFaceFilesMatchTheReference(TokenFixtures.Prompt prompt) {
        assertMatches(SharedVocabulary.huggingFace(), prompt);
    }

    @Test
    void specialTokensAndSizeAreThoseOfTheFixture() {
        for (ClipTokenizer tokenizer : List.of(SharedVocabulary.openAi(), SharedVocabulary.huggingFace())) {
            assertEquals(FIXTURES.bos(), tokenizer.startOfText());
            assertEquals(FIXTURES.eos(), tokenizer.endOfText());
            assertEquals(FIXTURES.eos() + 1, tokenizer.vocabularySize());
        }
    }

    /** vocab.json and merges.txt are the OpenAI file's vocabulary, id for id. */
    @Test
    void bothFormatsGiveTheSameVocabulary() {
        ClipTokenizer openAi = SharedVocabulary.openAi();
        ClipTokenizer huggingFace = SharedVocabulary.huggingFace();
        assertEquals(openAi.vocabularySize(), huggingFace.vocabularySize());
        for (int id = 0; id < openAi.vocabularySize(); id++) {
            assertEquals(openAi.token(id), huggingFace.token(id), "token " + id);
        }
    }

    private static void assertMatches(ClipTokenizer tokenizer, TokenFixtures.Prompt prompt) {
        assertEquals(prompt.normalized(), tokenizer.normalize(prompt.prompt()), "normalized text");
        assertEquals(prompt.bpeTokens(), tokenizer.pieces(prompt.prompt()), "BPE pieces");
        assertArrayEquals(prompt.ids(), tokenizer.encode(prompt.prompt()), "ids");
        int[] inputIds = tokenizer.inputIds(prompt.prompt(), FIXTURES.pad());
        assertEquals(FIXTURES.maxLength(), inputIds.length);
        assertArrayEquals(prompt.inputIds(), inputIds, "input ids");
        assertEquals(prompt.eosPosition(), firstIndexOf(inputIds, FIXTURES.eos()), "end token position");
        assertEquals(prompt.truncated(), prompt.ids().length > ClipTokenizer.WINDOW_TOKENS);
    }

    private static int firstIndexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
