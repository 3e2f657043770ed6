package dev.lathe.cli;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.RunFailedException;
import dev.lathe.api.cli.CommandPlugin;
import dev.lathe.boot.LatheCommand;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lathe} command line. Exit codes: 0 success, 1 the run failed, 2 bad usage, config or
 * input file. Errors are one paragraph on stderr; stack traces only with {@code LATHE_DEBUG=1}.
 */
@Component(service = LatheCommand.class)
public final class LatheCli implements LatheCommand {

    private final BundleContext bundleContext;

    @Activate
    public LatheCli(BundleContext bundleContext) {
        this.bundleContext = bundleContext;
    }

    @Command(name = "lathe",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = "Modular LoRA training workbench for Stable Diffusion.",
            subcommands = {RunCommand.class, ValidateCommand.class, PluginsCommand.class, InspectCommand.class,
                    CommandLine.HelpCommand.class},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:success", "1:the run failed", "2:bad usage, config or input file"})
    static final class Root implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: choose one of "
                    + String.join(", ", spec.subcommands().keySet()) + ".");
        }
    }

    @Override
    public int execute(String[] args, PrintStream out, PrintStream err) {
        CliContext context = new CliContext(new ServiceCatalog(bundleContext), bundleContext, out, err);
        if (args.length > 0 && args[0].equals(TrainCommand.NAME)) {
            try {
                return new TrainCommand(context).run(List.of(args).subList(1, args.length));
            } catch (Exception e) {
                return report(e, err);
            }
        }
        if (args.length > 0 && !args[0].startsWith("-")) {
            Optional<CommandPlugin> plugin = pluginCommand(context, args[0]);
            if (plugin.isPresent()) {
                try {
                    return plugin.get().run(List.of(args).subList(1, args.length), out, err);
                } catch (Exception e) {
                    return report(e, err);
                }
            }
        }
        CommandLine commandLine = new CommandLine(new Root(), new ContextFactory(context));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> report(e, err));
        List<String> pluginCommands = new java.util.ArrayList<>(context.catalog().ids(CommandPlugin.class));
        if (context.catalog().find(dev.lathe.api.pipeline.StageType.class, TrainCommand.NAME).isPresent()) {
            pluginCommands.add(0, TrainCommand.NAME);
        }
        if (!pluginCommands.isEmpty()) {
            commandLine.getCommandSpec().usageMessage().footer(
                    "%nCommands from plugins (lathe <command> --help for each): " + String.join(", ", pluginCommands));
        }
        return commandLine.execute(args);
    }

    private static Optional<CommandPlugin> pluginCommand(CliContext context, String name) {
        return context.catalog().find(CommandPlugin.class, name);
    }

    /** Maps an exception to its exit code, printing one paragraph for the user. */
    static int report(Exception e, PrintStream err) {
        if (e instanceof InvalidInputException) {
            err.println("lathe: error: " + e.getMessage());
            debugTrace(e, err);
            return BAD_INPUT;
        }
        if (e instanceof RunFailedException) {
            err.println("lathe: the run failed: " + e.getMessage());
            debugTrace(e, err);
            return RUN_FAILED;
        }
        err.println("lathe: internal error: " + e + ". This is a bug in Lathe or a plugin; set LATHE_DEBUG=1 "
                + "to print the stack trace and include it in a report.");
        debugTrace(e, err);
        return RUN_FAILED;
    }

    private static void debugTrace(Exception e, PrintStream err) {
        if ("1".equals(System.getenv("LATHE_DEBUG")) || Boolean.getBoolean("lathe.debug")) {
            e.printStackTrace(err);
        }
    }

    /** Builds command objects with the shared context (picocli's default factory has no way to). */
    private record ContextFactory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(CliContext.class).newInstance(context);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
