package dev.lathe.face.plugin;

import dev.lathe.api.InvalidInputException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * Runs a picocli-annotated command under the launcher's rules ({@link dev.lathe.api.cli.CommandPlugin}):
 * {@code --help} prints usage and returns 0, bad usage is an {@link InvalidInputException} (exit 2).
 */
final class PicocliCommand {

    private PicocliCommand() {
    }

    static int run(Callable<Integer> command, List<String> args, PrintStream out) throws Exception {
        CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        try {
            commandLine.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new InvalidInputException(e.getMessage() + ". Usage: "
                    + commandLine.getHelp().synopsis(0).strip() + " (see lathe " + commandLine.getCommandName() + " --help).");
        }
        if (commandLine.isUsageHelpRequested()) {
            commandLine.usage(out);
            return 0;
        }
        return command.call();
    }
}
