package dev.lathe.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Character references, decoded by the HTML5 rules (Python's html.unescape) and ftfy's stricter ones. */
class HtmlEntitiesTest {

    private final HtmlEntities entities = new HtmlEntities();

    @Test
    void namedReferences() {
        assertEquals("& < > \" '", entities.unescape("&amp; &lt; &gt; &quot; &apos;"));
        assertEquals("\u00A0é∉", entities.unescape("&nbsp;&eacute;&notin;"));
        assertEquals("&nosuch;", entities.unescape("&nosuch;"));
        assertEquals("\u2242\u0338", entities.unescape("&NotEqualTilde;"), "two code points");
    }

    /** The legacy names need no semicolon and match as the start of a longer name. */
    @Test
    void legacyNamesWithoutSemicolon() {
        assertEquals("& © x", entities.unescape("&amp &copy x"));
        assertEquals("&x", entities.unescape("&ampx"));
        assertEquals("¬it;", entities.unescape("&notit;"));
        assertEquals("&hellip", entities.unescape("&hellip"), "not a legacy name");
    }

    @Test
    void numericReferences() {
        assertEquals("AAA", entities.unescape("&#65;&#x41;&#X41"));
        assertEquals("😀", entities.unescape("&#128512;"));
        assertEquals("€’", entities.unescape("&#128;&#x92;"), "C1 numbers mean Windows-1252");
        assertEquals("\uFFFD\uFFFD\uFFFD", entities.unescape("&#0;&#xD800;&#x110000;"));
        assertEquals("\uFFFD", entities.unescape("&#99999999999999999999;"));
        assertEquals("ab", entities.unescape("a&#1;&#xFFFF;&#xFDD0;b"), "controls and noncharacters go");
        assertEquals("\r\t", entities.unescape("&#13;&#9;"));
    }

    @Test
    void strictDecodingNeedsTheSemicolonAndReadsUpperCasedNames() {
        assertEquals("&amp & ñ Ñ", entities.unescapeStrict("&amp &amp; &ntilde; &NTILDE;"));
        assertEquals("&", entities.unescapeStrict("&AMP;"), "AMP is an HTML5 name of its own");
        assertEquals("A&#x;", entities.unescapeStrict("&#65;&#x;"));
    }
}
