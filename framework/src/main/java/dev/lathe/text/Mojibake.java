package dev.lathe.text;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Repairs the commonest mojibake: UTF-8 that was decoded as Windows-1252 or Latin-1, which turns
 * {@code café} into {@code cafÃ©} and {@code ’} into {@code â€™}.
 *
 * <p>Every run of characters that are the Windows-1252 images of one complete, valid UTF-8
 * multi-byte sequence (a lead byte 0xC2..0xF4 and its continuation bytes 0x80..0xBF) is replaced
 * by the character that sequence encodes. Applied until nothing changes, this also undoes double
 * encoding. This is the part of ftfy's {@code fix_encoding} that CLIP prompts need. Unlike ftfy it
 * does not first score how "bad" the text looks, and it does not try other code pages (MacRoman,
 * Windows-1250/1251, CP437) or restore bytes that were lost (a no-break space turned into a
 * space). In place of ftfy's scoring, a sequence is left alone when it would decode to a
 * combining mark, an unassigned or a private-use code point: nothing a mojibake victim typed, but
 * what correct text such as {@code Ü»} or {@code Ö“} would give. Text whose characters cannot
 * come from Windows-1252 — any script other than Latin, any emoji — is never touched; a false
 * positive needs an accented capital letter (or {@code ×}, {@code ß}) directly followed by
 * Windows-1252 punctuation or symbols that happen to form valid UTF-8 of a letter or symbol
 * ({@code ß“}, {@code É™}).
 */
final class Mojibake {

    private Mojibake() {
    }

    static String repair(String text) {
        StringBuilder out = null;
        int copied = 0;
        for (int i = 0; i < text.length(); i++) {
            int length = sequenceLength(Windows1252.encode(text.charAt(i)));
            if (length == 0 || i + length > text.length()) {
                continue;
            }
            String decoded = decode(text, i, length);
            if (decoded == null) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, copied, i).append(decoded);
            copied = i + length;
            i = copied - 1;
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }

    /** How many bytes a UTF-8 sequence starting with {@code lead} has; 0 if it is no lead byte. */
    private static int sequenceLength(int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) {
            return 2;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            return 3;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            return 4;
        }
        return 0;
    }

    /** The character that {@code text[start, start+length)} encodes as UTF-8 bytes, or null. */
    private static String decode(String text, int start, int length) {
        byte[] bytes = new byte[length];
        for (int k = 0; k < length; k++) {
            int b = Windows1252.encode(text.charAt(start + k));
            if (k > 0 && (b < 0x80 || b > 0xBF)) {
                return null;
            }
            bytes[k] = (byte) b;
        }
        // A strict decoder: overlong forms, surrogates and values past U+10FFFF are refused.
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        String decoded;
        try {
            decoded = utf8.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        return isPlausible(decoded.codePointAt(0)) ? decoded : null;
    }

    private static boolean isPlausible(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.NON_SPACING_MARK:
            case Character.ENCLOSING_MARK:
            case Character.UNASSIGNED:
            case Character.PRIVATE_USE:
                return false;
            default:
                return true;
        }
    }
}
