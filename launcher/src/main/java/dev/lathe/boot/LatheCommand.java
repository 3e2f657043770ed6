package dev.lathe.boot;

import java.io.PrintStream;

/**
 * The command line of Lathe, registered as an OSGi service by the CLI bundle. The launcher waits
 * for it once the installation's bundles have started and hands it the arguments.
 */
public interface LatheCommand {

    /** Exit code: the command succeeded. */
    int OK = 0;
    /** Exit code: a run started but failed. */
    int RUN_FAILED = 1;
    /** Exit code: bad usage, config or input file. */
    int BAD_INPUT = 2;

    /**
     * Runs one command line to completion.
     *
     * @param args the arguments after {@code lathe}
     * @param out  results (what a script would parse)
     * @param err  logs, progress and error messages
     * @return the process exit code
     */
    int execute(String[] args, PrintStream out, PrintStream err);
}
