package dev.lathe.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AUTOMATIC1111's emphasis syntax and extra-network tags. The emphasis cases are the examples of
 * A1111's {@code parse_prompt_attention} docstring, with the expected weights written as the
 * products of the multipliers in the order A1111 applies them (so they are exact doubles).
 */
class PromptParserTest {

    private static final double UP = 1.1;
    private static final double DOWN = 1 / 1.1;

    @Test
    void plainTextHasWeightOne() {
        assertSegments(PromptParser.parseAttention("normal text"), text("normal text", 1.0));
    }

    @Test
    void roundBracketsMultiplyBy1point1() {
        assertSegments(PromptParser.parseAttention("an (important) word"),
                text("an ", 1.0), text("important", UP), text(" word", 1.0));
    }

    @Test
    void anUnclosedBracketAppliesToTheEnd() {
        assertSegments(PromptParser.parseAttention("(unbalanced"), text("unbalanced", UP));
        assertSegments(PromptParser.parseAttention("a [b"), text("a ", 1.0), text("b", DOWN));
    }

    @Test
    void escapedBracketsAreLiteral() {
        assertSegments(PromptParser.parseAttention("\\(literal\\]"), text("(literal]", 1.0));
        assertSegments(PromptParser.parseAttention("yae miko \\(genshin impact\\)"),
                text("yae miko (genshin impact)", 1.0));
        assertSegments(PromptParser.parseAttention("a\\\\b\\c"), text("a\\bc", 1.0),
                "\\\\ is one backslash, \\ alone goes");
    }

    @Test
    void neighboursOfEqualWeightAreJoined() {
        assertSegments(PromptParser.parseAttention("(unnecessary)(parens)"), text("unnecessaryparens", UP));
    }

    /** The docstring's big example: explicit weights, nesting, square brackets inside an unclosed one. */
    @Test
    void nestedBracketsMultiply() {
        double outer = UP; // the first "(" never closes, so it applies to everything after it
        assertSegments(PromptParser.parseAttention("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky)))."),
                text("a ", 1.0),
                text("house", 1.0 * 1.3 * UP * outer),
                text(" ", 1.0 * outer),
                text("on", 1.0 * DOWN * outer),
                text(" a ", 1.0 * outer),
                text("hill", 1.0 * 0.5 * outer),
                text(", sun, ", 1.0 * outer),
                text("sky", 1.0 * UP * UP * UP * outer),
                text(".", 1.0 * outer));
    }

    @Test
    void explicitWeights() {
        assertSegments(PromptParser.parseAttention("(red hair:1.2), [blue eyes], ((smile))"),
                text("red hair", 1.2), text(", ", 1.0), text("blue eyes", DOWN), text(", ", 1.0),
                text("smile", 1.0 * UP * UP));
        assertSegments(PromptParser.parseAttention("(dog: 1.5 )"), text("dog", 1.5), "spaces around the weight");
        assertSegments(PromptParser.parseAttention("(worst quality, low quality:1.4)"),
                text("worst quality, low quality", 1.4));
        assertSegments(PromptParser.parseAttention("(a:-1)(b:.5)"), text("a", -1.0), text("b", 0.5));
    }

    @Test
    void strayClosersAndColonsAreText() {
        assertSegments(PromptParser.parseAttention("a) b] c:1.2) d: e"), text("a) b] c:1.2) d: e", 1.0));
        assertSegments(PromptParser.parseAttention("[a:1.2)"), text("a:1.2)", DOWN), "a weight only closes a (");
        assertSegments(PromptParser.parseAttention(""), text("", 1.0));
    }

    @Test
    void aWeightThatIsNoNumberIsAnError() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> PromptParser.parseAttention("(red:1.2.3)"));
        assertTrue(e.getMessage().contains("\"1.2.3\""), e.getMessage());
    }

    @Test
    void breakSplitsTheTextAndSwallowsItsWhitespace() {
        assertSegments(PromptParser.parseAttention("a red apple BREAK a green pear"),
                text("a red apple", 1.0), PromptSegment.breakMarker(), text("a green pear", 1.0));
        assertSegments(PromptParser.parseAttention("BREAK"),
                text("", 1.0), PromptSegment.breakMarker(), text("", 1.0));
        assertSegments(PromptParser.parseAttention("BREAKING break xBREAK BREAK_"),
                text("BREAKING break xBREAK BREAK_", 1.0));
        assertSegments(PromptParser.parseAttention("(a BREAK b)"),
                text("a", UP), PromptSegment.breakMarker(), text("b", UP), "a break inside brackets stays a break");
    }

    @Test
    void loraTagsAreTakenOut() {
        ParsedPrompt parsed = PromptParser.parse("<lora:myChar_v2:0.8>, photo of (sks:1.2) person <lora:style>");
        assertSegments(parsed.segments(), text(", photo of ", 1.0), text("sks", 1.2), text(" person ", 1.0));
        assertEquals(2, parsed.loras().size());
        LoraTag first = parsed.loras().get(0);
        assertEquals("myChar_v2", first.name());
        assertEquals("<lora:myChar_v2:0.8>", first.tag());
        assertEquals(0.8, first.textEncoder().at(0.5));
        assertEquals(0.8, first.unet().at(0.5));
        assertTrue(first.unet().isConstant());
        LoraTag second = parsed.loras().get(1);
        assertEquals(1.0, second.textEncoder().at(0));
        assertEquals(1.0, second.unet().at(1));
        assertEquals(", photo of sks person ", parsed.plainText());
    }

    @Test
    void textEncoderAndUnetStrengthsCanDiffer() {
        LoraTag positional = PromptParser.parse("<lora:a:0.8:0.5>").loras().get(0);
        assertEquals(0.8, positional.textEncoder().at(0));
        assertEquals(0.5, positional.unet().at(0));
        LoraTag named = PromptParser.parse("<lora:a:unet=0.7:te=0.3>").loras().get(0);
        assertEquals(0.3, named.textEncoder().at(0));
        assertEquals(0.7, named.unet().at(0));
        LoraTag lyco = PromptParser.parse("<lyco:b:0.6>").loras().get(0);
        assertEquals("b", lyco.name());
        assertEquals(0.6, lyco.unet().at(0));
    }

    @Test
    void otherExtraNetworkTagsAreRemovedAndReported() {
        ParsedPrompt parsed = PromptParser.parse("a <hypernet:x:1> cat <3");
        assertEquals(List.of("<hypernet:x:1>"), parsed.otherTags());
        assertTrue(parsed.loras().isEmpty());
        assertEquals("a  cat <3", parsed.plainText());
    }

    @Test
    void strengthSchedulesInterpolateOverProgress() {
        LoraStrength strength = PromptParser.parse("<lora:name:0.8@0,0.8@0.5,0@1>").loras().get(0).unet();
        assertEquals(List.of(new LoraStrength.Point(0.8, 0), new LoraStrength.Point(0.8, 0.5),
                new LoraStrength.Point(0, 1)), strength.points());
        assertEquals("0.8@0,0.8@0.5,0@1", strength.text());
        assertFalse(strength.isConstant());
        assertEquals(0.8, strength.at(0));
        assertEquals(0.8, strength.at(0.25));
        assertEquals(0.8 + (0 - 0.8) * ((0.75 - 0.5) / (1 - 0.5)), strength.at(0.75));
        assertEquals(0.0, strength.at(1));

        LoraStrength late = PromptParser.parse("<lora:n:0@0.2, 1@0.6>").loras().get(0).textEncoder();
        assertEquals(0.0, late.at(0.1), "before the first point");
        assertEquals(1.0, late.at(0.9), "after the last point");
        LoraStrength jump = PromptParser.parse("<lora:n:0@0,0@0.5,1@0.5>").loras().get(0).unet();
        assertEquals(1.0, jump.at(0.5), "at a jump the later point holds");
    }

    @ParameterizedTest
    @ValueSource(strings = {"<lora:a:0.8@>", "<lora:a:x>", "<lora:a:1@0.5,1@0.2>", "<lora:a:1@2>", "<lora::1>",
        "<lora:a:1:1:8>", "<lora:a:dyn=8>", "<lora:a:0.8@0@1>", "<lora:a:1,2>", "<lora:a:nan>"})
    void malformedLoraTagsAreClearErrors(String tag) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> PromptParser.parse("a " + tag));
        assertTrue(e.getMessage().contains(tag), e.getMessage());
        assertTrue(e.getMessage().contains("<lora:name:0.8@0,0.8@0.5,0@1>"), "the message shows the syntax");
    }

    private static PromptSegment text(String text, double weight) {
        return PromptSegment.text(text, weight);
    }

    private static void assertSegments(List<PromptSegment> actual, PromptSegment... expected) {
        assertEquals(List.of(expected), actual);
    }

    private static void assertSegments(List<PromptSegment> actual, PromptSegment expected, String message) {
        assertEquals(List.of(expected), actual, message);
    }

    private static void assertSegments(List<PromptSegment> actual, PromptSegment a, PromptSegment b,
            PromptSegment c, String message) {
        assertEquals(List.of(a, b, c), actual, message);
    }
}
