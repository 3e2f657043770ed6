package dev.lathe.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.OptionSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/config.md documents every option of the merge stage; docs/merging.md every flag of lathe merge. */
class MergeDocsTest {

    @Test
    void everyStageOptionHasARowInTheConfigReference() throws Exception {
        String config = Files.readString(Path.of("../../docs/config.md"));
        int start = config.indexOf("### `merge`");
        assertTrue(start >= 0, "docs/config.md has a section ### `merge`");
        int end = config.indexOf("\n## ", start);
        String section = config.substring(start, end < 0 ? config.length() : end);
        MergeStage stage = new MergeStage(List.of());
        for (OptionSpec option : stage.options()) {
            assertTrue(section.contains("| `" + option.name() + "` |"), option.name() + " is documented");
            for (OptionSpec field : option.element() == null ? List.<OptionSpec>of() : option.element().fields()) {
                String row = "| `" + option.name() + "[]." + field.name() + "` |";
                assertTrue(section.contains(row), row + " is documented");
            }
        }
        for (String output : stage.outputs()) {
            assertTrue(section.contains("| `" + output + "` |"), "output " + output + " is documented");
        }
    }

    @Test
    void everyCommandFlagIsInTheMergingGuide() throws Exception {
        String guide = Files.readString(Path.of("../../docs/merging.md"));
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(help, true, StandardCharsets.UTF_8);
        assertEquals(0, new MergeCommand(List.of()).run(List.of("--help"), out, out));
        Set<String> flags = new TreeSet<>();
        Matcher m = Pattern.compile("(--[a-z][a-z-]*)").matcher(help.toString(StandardCharsets.UTF_8));
        while (m.find()) {
            flags.add(m.group(1));
        }
        flags.removeAll(Set.of("--help", "--version"));
        assertFalse(flags.isEmpty());
        for (String flag : flags) {
            assertTrue(guide.contains("| `" + flag), flag + " has a row in docs/merging.md");
        }
    }
}
