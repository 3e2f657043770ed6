package dev.lathe.safetensors;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Finds the names closest to a misspelt or missing one, for error messages. */
final class NameSuggestions {

    private NameSuggestions() {
    }

    /** Up to {@code limit} of {@code names}, closest first by edit distance, ties by name. */
    static List<String> closest(String wanted, Collection<String> names, int limit) {
        record Candidate(String name, int distance) {
        }
        return names.stream()
                .map(name -> new Candidate(name, editDistance(wanted, name)))
                .sorted(Comparator.comparingInt(Candidate::distance).thenComparing(Candidate::name))
                .limit(limit)
                .map(Candidate::name)
                .toList();
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one char each cost 1. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
