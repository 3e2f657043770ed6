package dev.lathe.api.cli;

import dev.lathe.api.Plugin;
import java.io.PrintStream;
import java.util.List;

/**
 * A subcommand of {@code lathe}, contributed by a plugin bundle: {@code lathe <id> args...}.
 * Registered as an OSGi service with the {@code id} property equal to the command name.
 *
 * <p>The command parses its own arguments (it may use picocli, which the distribution ships as a
 * bundle). Exit codes and errors follow the launcher's rules: return 0 on success; throw
 * {@link dev.lathe.api.InvalidInputException} for bad usage or input (exit 2) and
 * {@link dev.lathe.api.RunFailedException} when the work fails (exit 1); the CLI prints the
 * message as one paragraph. {@code --help} must print usage to {@code out} and return 0.
 */
public interface CommandPlugin extends Plugin {

    /**
     * Runs the command.
     *
     * @param args the arguments after the command name
     * @param out  results
     * @param err  logs and progress
     * @return the exit code
     */
    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
