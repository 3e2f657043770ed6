package dev.lathe.merge;

import dev.lathe.api.InvalidInputException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * A picocli command run by the launcher's rules ({@link dev.lathe.api.cli.CommandPlugin}):
 * {@code --help} prints usage and returns 0; bad usage is an {@link InvalidInputException} (exit 2)
 * with the synopsis.
 */
final class PicocliCommand {

    private PicocliCommand() {
    }

    static int run(Callable<Integer> command, List<String> args, PrintStream out) throws Exception {
        CommandLine line = new CommandLine(command);
        line.setOut(new PrintWriter(out, true));
        try {
            line.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new InvalidInputException(e.getMessage() + ". Usage: " + line.getHelp().synopsis(0).strip()
                    + " (see lathe " + line.getCommandName() + " --help).");
        }
        if (line.isUsageHelpRequested()) {
            line.usage(out);
            return 0;
        }
        return command.call();
    }
}
