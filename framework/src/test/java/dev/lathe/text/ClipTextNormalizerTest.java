package dev.lathe.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The cleaning CLIP applies before tokenizing, one rule at a time; tokens.json covers the same
 * rules on real prompts with the reference's output.
 */
class ClipTextNormalizerTest {

    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    private final ClipTextNormalizer normalizer = new ClipTextNormalizer();

    @Test
    void whitespaceIsCollapsedTrimmedAndTextLowerCased() {
        assertEquals("a b c", normalize("  A\t\tB \n\r\n C  "));
        assertEquals("no break ideographic", normalize("no\u00A0break\u3000ideographic"));
        assertEquals("", normalize(" \t\n "));
        assertEquals("zero\u200Bwidth", normalize("zero\u200Bwidth"), "U+200B is no whitespace");
    }

    @Test
    void lowerCasingUsesTheFinalSigmaRule() {
        assertEquals("οδος σοφος", normalize("ΟΔΟΣ ΣΟΦΟΣ"));
    }

    @Test
    void curlyQuotesAreStraightened() {
        assertEquals("don't \"x\" 'y'", normalize("don\u2019t \u201Cx\u201D \u2018y\u2019"));
    }

    @Test
    void fullWidthFormsAndLigaturesBecomeOrdinaryLetters() {
        assertEquals("abc1!", normalize("\uFF21\uFF22\uFF23\uFF11\uFF01"));
        assertEquals("fine flower office", normalize("\uFB01ne \uFB02ower o\uFB03ce"));
        assertEquals("dž'n", normalize("\u01C6\u0149"), "ŉ becomes ʼn, whose apostrophe is then straightened");
    }

    /** UTF-8 read as Windows-1252, once or twice, is repaired; in the middle of other scripts too. */
    @Test
    void mojibakeIsRepaired() {
        String once = misread("café ’quoted’ 😀");
        assertEquals("café 'quoted' 😀", normalize(once));
        assertEquals("café 'quoted' 😀", normalize(misread(once)));
        assertEquals("привет café", normalize("Привет " + misread("café")));
        // C1 controls are Latin-1's reading of the same bytes
        String latin1 = new String("naïve".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        assertEquals("naïve", normalize(latin1));
    }

    @Test
    void correctAccentedTextIsLeftAlone() {
        assertEquals("naïve façade straße résumé", normalize("naïve façade Straße résumé"));
        // valid UTF-8 once more, but of a combining mark or an unassigned code point: real text
        assertEquals("«ü» \"schön\" ß»", normalize("«Ü» „SCHÖN“ ß»"));
    }

    @Test
    void htmlReferencesAreDecodedTwice() {
        assertEquals("tom & jerry <3", normalize("Tom &amp; Jerry &lt;3"));
        assertEquals("<b>", normalize("&amp;lt;b&amp;gt;"));
        assertEquals("ñ", normalize("&NTILDE;"), "ftfy reads upper-cased names");
    }

    /** A line with a literal {@code <} looks like HTML: ftfy leaves its references, and every later line's. */
    @Test
    void afterALiteralLessThanOnlyClipsOwnUnescapingApplies() {
        assertEquals("ñ <3 &ntilde;", normalize("&NTILDE;\n<3 &NTILDE;"));
        assertEquals("<3 & &ntilde;", normalize("<3 &amp; &NTILDE;"));
    }

    @Test
    void controlCharactersGoAndC1ControlsAreReadAsWindows1252() {
        assertEquals("abc", normalize("a\u0000b\u007F\uFEFFc"));
        assertEquals("it's", normalize("it\u0092s"));
        assertEquals("red", normalize("\u001B[31mred\u001B[0m"));
        assertEquals("a\uFFFDb", normalize("a\uD800b"), "a lone surrogate");
        assertEquals("soft\u00ADhyphen", normalize("soft\u00ADhyphen"), "soft hyphens stay");
    }

    @Test
    void textIsComposed() {
        assertEquals("café", normalize("cafe\u0301"));
    }

    private String normalize(String text) {
        return normalizer.normalize(text);
    }

    /** {@code text} as a program that decodes UTF-8 as Windows-1252 shows it. */
    private static String misread(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), WINDOWS_1252);
    }
}
