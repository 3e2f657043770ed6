package dev.lathe.cli;

import dev.lathe.config.ConfigReader;
import dev.lathe.config.PipelineConfig;
import dev.lathe.config.StageConfig;
import dev.lathe.pipeline.PipelineRunner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code lathe validate}: checks a pipeline config without running anything. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a pipeline config: fields, types, plugin ids, stage references, and that a model family "
                + "accepts its checkpoint (from the file's header). Runs nothing.")
final class ValidateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PIPELINE.json", description = "The pipeline config to check.")
    Path pipeline;

    private final CliContext context;

    ValidateCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        PipelineConfig config = new ConfigReader(context.catalog()).read(pipeline);
        PipelineRunner.checkCheckpoint(config, context.catalog());
        context.out().println(pipeline + " is valid: pipeline \"" + config.name() + "\", "
                + config.stages().size() + " stage(s): "
                + config.stages().stream().map(ValidateCommand::describe).collect(Collectors.joining(" -> ")));
        context.out().println("Output folder: " + config.output());
        return 0;
    }

    private static String describe(StageConfig stage) {
        return stage.name() + " (" + stage.type() + ")";
    }
}
