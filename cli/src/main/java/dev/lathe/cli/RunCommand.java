package dev.lathe.cli;

import dev.lathe.config.ConfigReader;
import dev.lathe.config.PipelineConfig;
import dev.lathe.pipeline.ConsoleProgress;
import dev.lathe.pipeline.PipelineRunner;
import dev.lathe.pipeline.RunSummary;
import dev.lathe.pipeline.StageRun;
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
        RunSummary summary = runner.run(config);
        context.out().printf("Pipeline \"%s\" finished in %.1f s%n", config.name(), summary.seconds());
        for (StageRun stage : summary.stages()) {
            context.out().printf("  %-20s %-10s %7.1f s  %s%n", stage.name(), stage.type(), stage.seconds(), stage.summary());
        }
        context.out().println("Output folder: " + summary.output());
        return 0;
    }
}
