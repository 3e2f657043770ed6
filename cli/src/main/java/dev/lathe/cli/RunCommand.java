package dev.lathe.cli;

import dev.lathe.config.ConfigReader;
import dev.lathe.config.PipelineConfig;
import dev.lathe.pipeline.ConsoleProgress;
import dev.lathe.pipeline.PipelineRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lathe run}: validates a pipeline config, then runs its stages in order. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a pipeline: validate the config, then run its stages in order, writing everything "
                + "into one output folder.")
final class RunCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PIPELINE.json", description = "The pipeline config to run.")
    Path pipeline;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (overrides the config's \"output\").")
    Path out;

    private final CliContext context;

    RunCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        PipelineConfig config = new ConfigReader(context.catalog()).read(pipeline, out);
        var runner = new PipelineRunner(context.catalog(), new ConsoleProgress(context.err(), context.interactive()));
        var summary = runner.run(config);
        context.out().println("Finished pipeline \"" + config.name() + "\": " + summary);
        context.out().println("Output folder: " + config.output());
        return 0;
    }
}
