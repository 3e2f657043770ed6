package dev.lathe.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.framework.internal.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Learns a CLIP-style byte-level BPE vocabulary from a list of words, and writes it in Hugging
 * Face's format ({@code vocab.json}, {@code merges.txt}) that {@link ClipTokenizer#load} reads.
 * For small built-in models that must not ship CLIP's own 49,408-token vocabulary.
 *
 * <p>Learning is BPE's: each word becomes its byte symbols, the last marked with {@code </w>},
 * and the adjacent pair that occurs most often (over all words, a word counting as often as it
 * is listed) is merged everywhere, again and again, until {@code maxMerges} merges or every word
 * is one token. Ties go to the pair whose text sorts first, and a pair whose merge is already a
 * token is passed over (so every token has one id), making the result the same on every
 * machine. The ids are laid out as CLIP lays them out ({@link #clipIds}), so any text still
 * encodes: every byte has a symbol.
 */
public final class ByteLevelBpe {

    private ByteLevelBpe() {
    }

    /** The merges learnt from {@code words} (see the class description), each {@code "a b"}, in rank order. */
    public static List<String> learnMerges(List<String> words, int maxMerges) {
        Map<List<String>, Integer> counts = new LinkedHashMap<>();
        for (String word : words) {
            if (!word.isEmpty()) {
                counts.merge(symbols(word), 1, Integer::sum);
            }
        }
        Set<String> tokens = new HashSet<>();
        for (String symbol : ByteSymbols.inVocabularyOrder()) {
            tokens.add(symbol);
            tokens.add(symbol + ClipVocabulary.END_OF_WORD);
        }
        List<String> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            String[] pair = mostFrequentNewPair(counts, tokens);
            if (pair == null) {
                break;
            }
            merges.add(pair[0] + " " + pair[1]);
            tokens.add(pair[0] + pair[1]);
            Map<List<String>, Integer> merged = new LinkedHashMap<>();
            counts.forEach((symbols, n) -> merged.merge(merge(symbols, pair[0], pair[1]), n, Integer::sum));
            counts = merged;
        }
        return merges;
    }

    /**
     * Every token's id as CLIP derives them from its merges: the 256 byte symbols, the same with
     * {@code </w>}, each merge's result in merge order, then {@code <|startoftext|>} and
     * {@code <|endoftext|>}; in id order.
     */
    public static Map<String, Integer> clipIds(List<String> merges) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (String symbol : ByteSymbols.inVocabularyOrder()) {
            ids.put(symbol, ids.size());
        }
        for (String symbol : ByteSymbols.inVocabularyOrder()) {
            ids.put(symbol + ClipVocabulary.END_OF_WORD, ids.size());
        }
        for (String merge : merges) {
            String token = merge.replace(" ", "");
            if (ids.putIfAbsent(token, ids.size()) != null) {
                throw new IllegalArgumentException("the merge \"" + merge + "\" makes a token that already exists");
            }
        }
        ids.put(ClipVocabulary.START_OF_TEXT, ids.size());
        ids.put(ClipVocabulary.END_OF_TEXT, ids.size());
        return ids;
    }

    /** Writes {@code vocab.json} and {@code merges.txt} for {@code merges} into {@code folder} (created if needed). */
    public static void writeHuggingFace(List<String> merges, Path folder) throws IOException {
        Files.createDirectories(folder);
        byte[] vocab = new ObjectMapper().writeValueAsBytes(clipIds(merges));
        StringBuilder mergesTxt = new StringBuilder("#version: 0.2\n");
        merges.forEach(m -> mergesTxt.append(m).append('\n'));
        AtomicFiles.write(folder.resolve(TokenizerFiles.VOCAB_JSON), out -> out.write(vocab));
        AtomicFiles.write(folder.resolve(TokenizerFiles.MERGES_TXT),
                out -> out.write(mergesTxt.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** A word's byte symbols, the last one marked as the end of the word. */
    private static List<String> symbols(String word) {
        String encoded = ByteSymbols.encode(word);
        List<String> symbols = new ArrayList<>(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            String symbol = String.valueOf(encoded.charAt(i));
            symbols.add(i == encoded.length() - 1 ? symbol + ClipVocabulary.END_OF_WORD : symbol);
        }
        return List.copyOf(symbols);
    }

    /** The most frequent adjacent pair whose merge is not yet a token; null when there is none. */
    private static String[] mostFrequentNewPair(Map<List<String>, Integer> words, Set<String> tokens) {
        Map<String, Integer> counts = new TreeMap<>(); // sorted: of equal counts, the first wins
        Map<String, String[]> pairs = new LinkedHashMap<>();
        words.forEach((symbols, n) -> {
            for (int i = 0; i + 1 < symbols.size(); i++) {
                String key = symbols.get(i) + " " + symbols.get(i + 1);
                counts.merge(key, n, Integer::sum);
                pairs.putIfAbsent(key, new String[] {symbols.get(i), symbols.get(i + 1)});
            }
        });
        String best = null;
        int bestCount = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            String[] pair = pairs.get(e.getKey());
            if (e.getValue() > bestCount && !tokens.contains(pair[0] + pair[1])) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best == null ? null : pairs.get(best);
    }

    private static List<String> merge(List<String> symbols, String first, String second) {
        List<String> out = new ArrayList<>(symbols.size());
        for (int i = 0; i < symbols.size(); i++) {
            if (i + 1 < symbols.size() && symbols.get(i).equals(first) && symbols.get(i + 1).equals(second)) {
                out.add(first + second);
                i++;
            } else {
                out.add(symbols.get(i));
            }
        }
        return List.copyOf(out);
    }
}
