package dev.lathe.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The byte-to-symbol table of GPT-2 style byte-level BPE, which CLIP uses: every byte value gets
 * one printable character, so that BPE can work on strings and the vocabulary file stays
 * readable. Bytes that already are printable, non-space Latin-1 characters ({@code !}..{@code ~},
 * {@code ¡}..{@code ¬}, {@code ®}..{@code ÿ}) stand for themselves; the other 68 (controls, space,
 * DEL, C1, no-break space, soft hyphen) are mapped, in byte order, to U+0100 onwards.
 *
 * <p>The order matters: CLIP's vocabulary lists the 256 symbols in the order of this table,
 * printable bytes first, so their ids are positions in {@link #inVocabularyOrder()}.
 */
final class ByteSymbols {

    /** 256 bytes, of which 68 are moved to U+0100..U+0143. */
    private static final int SYMBOL_RANGE = 256 + 68;

    private static final char[] SYMBOL_OF_BYTE = new char[256];
    private static final int[] BYTE_OF_SYMBOL = new int[SYMBOL_RANGE];
    private static final int[] BYTES_IN_VOCABULARY_ORDER = new int[256];

    static {
        int next = 0;
        for (int b = 0; b < 256; b++) {
            if (standsForItself(b)) {
                SYMBOL_OF_BYTE[b] = (char) b;
                BYTES_IN_VOCABULARY_ORDER[next++] = b;
            }
        }
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            if (!standsForItself(b)) {
                SYMBOL_OF_BYTE[b] = (char) (256 + shifted++);
                BYTES_IN_VOCABULARY_ORDER[next++] = b;
            }
        }
        Arrays.fill(BYTE_OF_SYMBOL, -1);
        for (int b = 0; b < 256; b++) {
            BYTE_OF_SYMBOL[SYMBOL_OF_BYTE[b]] = b;
        }
    }

    private ByteSymbols() {
    }

    private static boolean standsForItself(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    /** The symbol that stands for byte {@code b} (0..255). */
    static char symbol(int b) {
        return SYMBOL_OF_BYTE[b];
    }

    /** The 256 symbols in the order CLIP's vocabulary lists them (ids 0..255). */
    static String[] inVocabularyOrder() {
        String[] symbols = new String[256];
        for (int i = 0; i < 256; i++) {
            symbols[i] = String.valueOf(SYMBOL_OF_BYTE[BYTES_IN_VOCABULARY_ORDER[i]]);
        }
        return symbols;
    }

    /** {@code text} as UTF-8, each byte written as its symbol. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] symbols = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            symbols[i] = SYMBOL_OF_BYTE[bytes[i] & 0xFF];
        }
        return new String(symbols);
    }

    /**
     * The inverse of {@link #encode}: symbols back to bytes, decoded as UTF-8 (malformed sequences,
     * as a window cut in the middle of a character gives, become U+FFFD). Characters that are not
     * symbols are skipped.
     */
    static String decode(CharSequence symbols) {
        byte[] bytes = new byte[symbols.length()];
        int n = 0;
        for (int i = 0; i < symbols.length(); i++) {
            int b = byteOf(symbols.charAt(i));
            if (b >= 0) {
                bytes[n++] = (byte) b;
            }
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    private static int byteOf(char symbol) {
        return symbol < SYMBOL_RANGE ? BYTE_OF_SYMBOL[symbol] : -1;
    }
}
