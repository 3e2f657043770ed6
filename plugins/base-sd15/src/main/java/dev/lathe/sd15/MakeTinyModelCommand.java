package dev.lathe.sd15;

import dev.lathe.api.InvalidInputException;
import dev.lathe.api.cli.CommandPlugin;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Component;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lathe make-tiny-model --out DIR [--seed N]}: writes the tiny built-in SD 1.5-architecture
 * model ({@link TinyCheckpoint}) and its tokenizer, for trying pipelines out without a download.
 */
@Component(service = CommandPlugin.class, property = "id=" + MakeTinyModelCommand.NAME)
public final class MakeTinyModelCommand implements CommandPlugin {

    static final String NAME = "make-tiny-model";

    @Override
    public String id() {
        return NAME;
    }

    @Override
    public String description() {
        return "Write a tiny SD 1.5-architecture model with random weights (and its tokenizer) for trying Lathe out";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Arguments arguments = new Arguments(out);
        CommandLine commandLine = new CommandLine(arguments);
        commandLine.setOut(new PrintWriter(out, true));
        try {
            commandLine.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new InvalidInputException(e.getMessage() + ". Usage: " + commandLine.getHelp().synopsis(0).strip()
                    + " (see lathe " + NAME + " --help).");
        }
        if (commandLine.isUsageHelpRequested()) {
            commandLine.usage(out);
            return 0;
        }
        return arguments.call();
    }

    @Command(name = NAME, mixinStandardHelpOptions = true,
            description = {"Write a tiny model of the Stable Diffusion 1.5 architecture with deterministic random weights: "
                    + "DIR/" + TinyCheckpoint.CHECKPOINT_FILE + " (the real single-file key layout, about 6 MB) and "
                    + "DIR/" + TinyCheckpoint.TOKENIZER_FOLDER + "/ (a small CLIP-style vocabulary, vocab.json and "
                    + "merges.txt), where loading the checkpoint finds it.",
                "Every part of Lathe handles it like a real SD 1.5 checkpoint, and a training step on it takes a "
                    + "fraction of a second, so pipelines can be tried on any machine without a download. It makes no "
                    + "meaningful images. The same seed always gives the same files."})
    private static final class Arguments implements Callable<Integer> {

        @Option(names = "--out", paramLabel = "DIR", required = true,
                description = "Folder to write into (created if needed; files of the same names are replaced).")
        Path out;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "" + TinyCheckpoint.DEFAULT_SEED,
                description = "Seed of the random weights (default ${DEFAULT-VALUE}).")
        long seed;

        private final PrintStream console;

        Arguments(PrintStream console) {
            this.console = console;
        }

        @Override
        public Integer call() throws IOException {
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new InvalidInputException("--out " + out + " is a file, not a folder. Give a folder to write the "
                        + "tiny model into (it is created if needed).");
            }
            Path checkpoint = TinyCheckpoint.write(out, seed);
            console.println("Wrote " + checkpoint + " (" + Files.size(checkpoint) + " bytes, seed " + seed + ") and its "
                    + "tokenizer in " + out.resolve(TinyCheckpoint.TOKENIZER_FOLDER));
            return 0;
        }
    }
}
