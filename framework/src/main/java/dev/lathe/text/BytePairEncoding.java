package dev.lathe.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Byte-pair encoding of one pre-tokenized word, as CLIP does it: the word's byte symbols, the
 * last one marked with {@code </w>}; then, repeatedly, the adjacent pair with the lowest merge
 * rank is merged wherever it occurs (left to right, non-overlapping), until no adjacent pair has
 * a rank or one symbol is left.
 */
final class BytePairEncoding {

    private final Map<String, Integer> ranks;

    BytePairEncoding(List<String[]> merges) {
        ranks = new HashMap<>(2 * merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] merge = merges.get(rank);
            ranks.put(key(merge[0], merge[1]), rank); // a repeated pair keeps its last rank, as in CLIP
        }
    }

    /** The symbols {@code word} (already written in byte symbols, non-empty) encodes to. */
    List<String> encode(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        for (int i = 0; i < word.length() - 1; i++) {
            symbols.add(String.valueOf(word.charAt(i)));
        }
        symbols.add(word.charAt(word.length() - 1) + ClipVocabulary.END_OF_WORD);
        while (symbols.size() > 1) {
            int best = lowestRankedPair(symbols);
            if (best < 0) {
                break;
            }
            symbols = mergeAll(symbols, symbols.get(best), symbols.get(best + 1));
        }
        return symbols;
    }

    /** The index of the first symbol of the adjacent pair with the lowest rank, or -1. */
    private int lowestRankedPair(List<String> symbols) {
        int best = -1;
        int bestRank = Integer.MAX_VALUE;
        for (int i = 0; i + 1 < symbols.size(); i++) {
            Integer rank = ranks.get(key(symbols.get(i), symbols.get(i + 1)));
            if (rank != null && rank < bestRank) {
                bestRank = rank;
                best = i;
            }
        }
        return best;
    }

    private static List<String> mergeAll(List<String> symbols, String first, String second) {
        List<String> merged = new ArrayList<>(symbols.size());
        for (int i = 0; i < symbols.size(); i++) {
            if (i + 1 < symbols.size() && symbols.get(i).equals(first) && symbols.get(i + 1).equals(second)) {
                merged.add(first + second);
                i++;
            } else {
                merged.add(symbols.get(i));
            }
        }
        return merged;
    }

    /** Symbols never contain a space (it is a mapped byte), so a space separates them unambiguously. */
    private static String key(String first, String second) {
        return first + ' ' + second;
    }
}
