package dev.lathe.config;

import dev.lathe.api.Plugin;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Wording shared by the config checks, so that every message reads the same way. */
final class Messages {

    private Messages() {
    }

    /** A value in double quotes, as JSON would write it. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** {@code a, b, c}, or {@code (none)}. */
    static String list(Collection<String> items) {
        return items.isEmpty() ? "(none)" : String.join(", ", items);
    }

    /**
     * {@code ; did you mean "epochs"?} when a candidate is close enough to be a typo, else empty.
     * Follow it with {@link #end}.
     */
    static String didYouMean(String given, Collection<String> candidates) {
        return closest(given, candidates).map(c -> "; did you mean " + quote(c) + "?").orElse("");
    }

    /**
     * The candidate nearest to {@code given} by edit distance, ignoring case, if it is close
     * enough to be a typo: one edit for short names, about one per three characters for longer
     * ones. Ties go to the candidate listed first.
     */
    static Optional<String> closest(String given, Collection<String> candidates) {
        String needle = given.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = editDistance(needle, candidate.toLowerCase(Locale.ROOT));
            int allowed = Math.max(1, Math.min(needle.length(), candidate.length()) / 3);
            if (distance <= allowed && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Edit distance counting insertions, deletions, substitutions and swaps of two neighbouring
     * characters ({@code trian} for {@code train}) as one edit each (optimal string alignment).
     */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** Ends a sentence with a full stop unless it already ends with one or a question mark. */
    static String end(String sentence) {
        return sentence.endsWith("?") || sentence.endsWith(".") ? sentence : sentence + ".";
    }

    /** A plugin kind as a user reads it: {@code OptimizerFactory} becomes "optimizer factory". */
    static String kindName(Class<? extends Plugin> kind) {
        return kind.getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    /** A bound without a pointless ".0": {@code 1} rather than {@code 1.0}. */
    static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
