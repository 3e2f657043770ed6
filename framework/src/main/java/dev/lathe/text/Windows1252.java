package dev.lathe.text;

/**
 * "Sloppy" Windows-1252, the single-byte encoding most mojibake comes from: Latin-1 except that
 * bytes 0x80..0x9F are typographic characters ({@code €}, curly quotes, dashes, …). The five
 * bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) decode to the C1 control of
 * the same number, as browsers and ftfy do, so every byte has a character and back.
 */
final class Windows1252 {

    /** Characters of bytes 0x80..0x9F. */
    private static final String HIGH_CONTROLS =
            "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F"
            + "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    private Windows1252() {
    }

    /** The character of byte {@code b} (0..255). */
    static char decode(int b) {
        return b >= 0x80 && b <= 0x9F ? HIGH_CONTROLS.charAt(b - 0x80) : (char) b;
    }

    /**
     * The byte that decodes to {@code c}, or -1. C1 controls U+0080..U+009F also give their own
     * number: text decoded as Latin-1 instead of Windows-1252 holds them.
     */
    static int encode(char c) {
        if (c < 0x100) {
            return c;
        }
        int index = HIGH_CONTROLS.indexOf(c);
        return index < 0 ? -1 : 0x80 + index;
    }
}
