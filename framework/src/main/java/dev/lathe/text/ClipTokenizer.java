package dev.lathe.text;

import dev.lathe.api.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLIP tokenizer of Stable Diffusion's text encoders (SD 1.x, and both SDXL encoders): text
 * to byte-level BPE token ids, exactly as OpenAI's CLIP {@code simple_tokenizer} (and Hugging
 * Face's {@code CLIPTokenizer} with ftfy) computes them.
 *
 * <ol>
 * <li>Cleaning ({@link #normalize}): ftfy-style repair, HTML unescaping, whitespace collapsed,
 *     lower case — see {@link ClipTextNormalizer}.
 * <li>Splitting into words: the special tokens {@code <|startoftext|>} and {@code <|endoftext|>};
 *     the English clitics {@code 's 't 're 've 'm 'll 'd} wherever they occur (so {@code 'single}
 *     gives {@code 's} and {@code ingle}); runs of letters; single digits; runs of anything else
 *     but whitespace. Letters and digits are Unicode's categories L and N.
 * <li>Each word's UTF-8 bytes become byte symbols and are merged by BPE ({@link BytePairEncoding});
 *     each resulting symbol is one vocabulary entry.
 * </ol>
 *
 * <p>A tokenizer is immutable and thread-safe. Create one from the vocabulary files with
 * {@link #fromOpenAiVocabulary}, {@link #fromHuggingFace} (or through {@link TokenizerFiles}),
 * or from a list of merges with {@link #fromMerges}.
 */
public final class ClipTokenizer {

    /** Tokens in one text-encoder window: start, 75 tokens, end. */
    public static final int CONTEXT_LENGTH = 77;

    /** Prompt tokens that fit in one window between the start and end tokens. */
    public static final int WINDOW_TOKENS = CONTEXT_LENGTH - 2;

    private static final Pattern WORDS = Pattern.compile(String.join("|",
            "<\\|startoftext\\|>", "<\\|endoftext\\|>",
            "'s", "'t", "'re", "'ve", "'m", "'ll", "'d",
            "\\p{L}+", // a run of letters
            "\\p{N}", // one digit (or other number character)
            "[^\\p{IsWhite_Space}\\p{L}\\p{N}]+"), // a run of anything else but space
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    private final Map<String, Integer> ids;
    private final String[] tokens;
    private final BytePairEncoding bpe;
    private final ClipTextNormalizer normalizer;
    private final int startOfText;
    private final int endOfText;

    private ClipTokenizer(ClipVocabulary vocabulary) {
        ids = Map.copyOf(vocabulary.ids);
        tokens = new String[ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1];
        ids.forEach((token, id) -> tokens[id] = token);
        bpe = new BytePairEncoding(vocabulary.merges);
        normalizer = new ClipTextNormalizer();
        requireComplete(vocabulary);
        startOfText = ids.get(ClipVocabulary.START_OF_TEXT);
        endOfText = ids.get(ClipVocabulary.END_OF_TEXT);
    }

    /**
     * The tokenizer at {@code location}: a folder holding {@code vocab.json} and
     * {@code merges.txt}, or {@code bpe_simple_vocab_16e6.txt.gz}; or such a {@code .gz} file.
     *
     * @throws InvalidInputException when there is no tokenizer there, or its files are damaged
     */
    public static ClipTokenizer load(Path location) {
        if (Files.isRegularFile(location) && location.getFileName().toString().endsWith(".gz")) {
            return fromOpenAiVocabulary(location);
        }
        Path vocab = location.resolve(TokenizerFiles.VOCAB_JSON);
        Path merges = location.resolve(TokenizerFiles.MERGES_TXT);
        if (Files.isRegularFile(vocab) && Files.isRegularFile(merges)) {
            return fromHuggingFace(vocab, merges);
        }
        Path openAi = location.resolve(TokenizerFiles.OPENAI_VOCABULARY);
        if (Files.isRegularFile(openAi)) {
            return fromOpenAiVocabulary(openAi);
        }
        throw new InvalidInputException("There is no CLIP tokenizer at " + location + ": it should be a folder "
                + "holding vocab.json and merges.txt (or OpenAI's " + TokenizerFiles.OPENAI_VOCABULARY + "), or that "
                + ".gz file itself. Download vocab.json and merges.txt from "
                + "https://huggingface.co/openai/clip-vit-large-patch14 into that folder, or point Lathe at the "
                + "folder that holds them.");
    }

    /** The tokenizer of OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}. */
    public static ClipTokenizer fromOpenAiVocabulary(Path bpeGz) {
        return new ClipTokenizer(ClipVocabulary.readOpenAi(bpeGz));
    }

    /** The tokenizer of a Hugging Face {@code vocab.json} and {@code merges.txt} pair. */
    public static ClipTokenizer fromHuggingFace(Path vocabJson, Path mergesTxt) {
        return new ClipTokenizer(ClipVocabulary.readHuggingFace(vocabJson, mergesTxt));
    }

    /**
     * The tokenizer of {@code merges} (each {@code "a b"}, in rank order), with ids derived as
     * CLIP derives them from OpenAI's file: the 256 byte symbols, the same with {@code </w>}, the
     * merges' concatenations, then the start and end tokens.
     */
    public static ClipTokenizer fromMerges(List<String> merges) {
        List<String[]> pairs = new ArrayList<>(merges.size());
        for (String merge : merges) {
            String[] pair = merge.split(" ");
            if (pair.length != 2) {
                throw new IllegalArgumentException("not a merge of two symbols: \"" + merge + "\"");
            }
            pairs.add(pair);
        }
        return new ClipTokenizer(ClipVocabulary.derivedFrom(pairs, "merges given in code"));
    }

    /** The token ids of {@code text}, without start and end tokens and not truncated. */
    public int[] encode(String text) {
        return pieces(text).stream().mapToInt(ids::get).toArray();
    }

    /** The vocabulary entries {@code text} becomes (byte symbols, {@code </w>} ending each word). */
    public List<String> pieces(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher words = WORDS.matcher(normalize(text));
        while (words.find()) {
            String word = words.group();
            if (word.equals(ClipVocabulary.START_OF_TEXT) || word.equals(ClipVocabulary.END_OF_TEXT)) {
                pieces.add(word); // typed out, they are the special tokens themselves, as in CLIP
            } else {
                pieces.addAll(bpe.encode(ByteSymbols.encode(word)));
            }
        }
        return pieces;
    }

    /** {@code text} cleaned as CLIP cleans it before splitting. */
    public String normalize(String text) {
        return normalizer.normalize(text);
    }

    /**
     * The 77 ids a text encoder reads for {@code text}, as Stable Diffusion builds them: the start
     * token, the first 75 tokens, the end token, then the end token again up to 77 (SD 1.x and
     * SDXL's first encoder).
     */
    public int[] inputIds(String text) {
        return inputIds(text, endOfText);
    }

    /**
     * The 77 ids for {@code text}, padded with {@code padToken} after the end token (SDXL's second
     * encoder pads with 0, the token {@code !}). Tokens beyond 75 are dropped; see
     * {@link PromptChunker} for prompts that need more than one window.
     */
    public int[] inputIds(String text, int padToken) {
        int[] encoded = encode(text);
        int[] window = new int[CONTEXT_LENGTH];
        int kept = Math.min(encoded.length, WINDOW_TOKENS);
        window[0] = startOfText;
        System.arraycopy(encoded, 0, window, 1, kept);
        window[kept + 1] = endOfText;
        Arrays.fill(window, kept + 2, CONTEXT_LENGTH, padToken);
        return window;
    }

    /** The text of {@code ids}: their symbols' bytes as UTF-8, each {@code </w>} a space. */
    public String decode(int[] ids) {
        StringBuilder symbols = new StringBuilder();
        for (int id : ids) {
            symbols.append(token(id));
        }
        return ByteSymbols.decode(symbols).replace(ClipVocabulary.END_OF_WORD, " ");
    }

    /** The id of {@code <|startoftext|>} (49406 in CLIP's vocabulary). */
    public int startOfText() {
        return startOfText;
    }

    /** The id of {@code <|endoftext|>} (49407 in CLIP's vocabulary). */
    public int endOfText() {
        return endOfText;
    }

    /** The id of a vocabulary entry (for example {@code ",</w>"} or {@code "!"}), or -1. */
    public int id(String token) {
        return ids.getOrDefault(token, -1);
    }

    /** The vocabulary entry of {@code id}. */
    public String token(int id) {
        if (id < 0 || id >= tokens.length || tokens[id] == null) {
            throw new IllegalArgumentException("no token has id " + id + " (vocabulary of " + ids.size() + ")");
        }
        return tokens[id];
    }

    /** How many entries the vocabulary has (49408 for CLIP). */
    public int vocabularySize() {
        return ids.size();
    }

    /**
     * Checks that every symbol BPE can produce has an id, so that encoding never meets an unknown
     * symbol: each byte symbol alone and with {@code </w>}, each merge's result, and the two
     * special tokens.
     */
    private void requireComplete(ClipVocabulary vocabulary) {
        List<String> missing = new ArrayList<>();
        for (String symbol : ByteSymbols.inVocabularyOrder()) {
            requireId(symbol, missing);
            requireId(symbol + ClipVocabulary.END_OF_WORD, missing);
        }
        for (String[] merge : vocabulary.merges) {
            requireId(merge[0] + merge[1], missing);
        }
        requireId(ClipVocabulary.START_OF_TEXT, missing);
        requireId(ClipVocabulary.END_OF_TEXT, missing);
        if (!missing.isEmpty()) {
            throw new InvalidInputException("The CLIP tokenizer files " + vocabulary.source + " do not belong "
                    + "together: " + missing.size() + " tokens that the merges produce have no id in the "
                    + "vocabulary (for example " + missing.subList(0, Math.min(5, missing.size())) + "). Use a "
                    + "vocab.json and merges.txt from the same tokenizer, for example both from "
                    + "https://huggingface.co/openai/clip-vit-large-patch14.");
        }
    }

    private void requireId(String token, List<String> missing) {
        if (!ids.containsKey(token)) {
            missing.add(token);
        }
    }
}
