package dev.lathe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.OptionSpec;
import dev.lathe.api.pipeline.StageType;
import dev.lathe.config.ConfigReader;
import dev.lathe.config.PipelineConfig;
import dev.lathe.pipeline.ConsoleProgress;
import dev.lathe.pipeline.PipelineRunner;
import dev.lathe.pipeline.RunSummary;
import dev.lathe.pipeline.StageRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec.Builder;
import picocli.CommandLine.ParseResult;

/**
 * {@code lathe train}: the {@code train} stage as a one-stage pipeline. Every option of the
 * installed train stage is a flag ({@code learningRate} → {@code --learning-rate}), plus kohya-ish
 * short names for the common ones ({@code --rank}, {@code --lr}, {@code --epochs}...). The command
 * writes the equivalent pipeline config to {@code <out>/<name>.pipeline.json} (run it again with
 * {@code lathe run}) and runs it; the LoRA files land in {@code <out>/<name>/}.
 */
final class TrainCommand {

    static final String NAME = "train";

    /** Short flags for the options kohya users type most, and the option each sets. */
    private static final Map<String, String> SHORT = new LinkedHashMap<>();

    static {
        SHORT.put("--name", "outputName");
        SHORT.put("--epochs", "maxTrainEpochs");
        SHORT.put("--rank", "networkDim");
        SHORT.put("--alpha", "networkAlpha");
        SHORT.put("--conv-rank", "convDim");
        SHORT.put("--conv-alpha", "convAlpha");
        SHORT.put("--lr", "learningRate");
        SHORT.put("--te-lr", "textEncoderLr");
        SHORT.put("--batch", "trainBatchSize");
        SHORT.put("--grad-accum", "gradientAccumulationSteps");
        SHORT.put("--save-every", "saveEveryNEpochs");
        SHORT.put("--unet-only", "networkTrainUnetOnly");
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CliContext context;

    TrainCommand(CliContext context) {
        this.context = context;
    }

    int run(List<String> args) throws IOException {
        StageType stage = context.catalog().find(StageType.class, NAME).orElseThrow(() -> new InvalidInputException(
                "No \"train\" stage type is installed (bundle dev.lathe.stage-train): lathe train cannot run."));
        CommandSpec spec = spec(stage);
        CommandLine line = new CommandLine(spec);
        line.setOut(new PrintWriter(context.out(), true));
        line.setErr(new PrintWriter(context.err(), true));
        ParseResult parsed;
        try {
            parsed = line.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new InvalidInputException(e.getMessage() + " (lathe train --help lists every flag)");
        }
        if (parsed.isUsageHelpRequested()) {
            line.usage(context.out());
            return 0;
        }
        Path out = Path.of(parsed.matchedOptionValue("--out", "runs")).toAbsolutePath().normalize();
        ObjectNode stageNode = JSON.createObjectNode();
        for (OptionSpec option : stage.options()) {
            String flag = flag(option.name());
            String shortFlag = SHORT.entrySet().stream().filter(e -> e.getValue().equals(option.name()))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            CommandLine.Model.OptionSpec matched = parsed.matchedOption(flag);
            if (matched == null && shortFlag != null) {
                matched = parsed.matchedOption(shortFlag);
            }
            if (matched != null) {
                stageNode.set(option.name(), value(option, matched.getValue(), parsed));
            }
        }
        if (!stageNode.has("outputName")) {
            stageNode.put("outputName", "lora");
        }
        String name = stageNode.get("outputName").asText();
        stageNode.put("name", name);
        stageNode.put("type", NAME);

        ObjectNode pipeline = JSON.createObjectNode();
        pipeline.put("name", name);
        String checkpoint = parsed.matchedOptionValue("--checkpoint", (String) null);
        pipeline.put("checkpoint", Path.of(checkpoint).toAbsolutePath().normalize().toString());
        String family = parsed.matchedOptionValue("--family", (String) null);
        if (family != null) {
            pipeline.put("family", family);
        }
        pipeline.put("device", parsed.matchedOptionValue("--device", "cpu"));
        pipeline.put("output", out.toString());
        pipeline.putArray("stages").add(stageNode);

        Files.createDirectories(out);
        Path configFile = out.resolve(name + ".pipeline.json");
        Files.writeString(configFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(pipeline) + "\n");
        PipelineConfig config = new ConfigReader(context.catalog()).read(configFile);
        RunSummary summary = new PipelineRunner(context.catalog(), new ConsoleProgress(context.err(), context.interactive()))
                .run(config);
        for (StageRun run : summary.stages()) {
            context.out().printf(Locale.ROOT, "Trained in %.1f s: %s%n", run.seconds(), run.summary());
            run.outputs().forEach((key, path) -> context.out().printf("  %-8s %s%n", key, path));
        }
        context.out().println("Config: " + configFile + " (run it again with: lathe run " + configFile + ")");
        return 0;
    }

    /** The flags: every stage option, the short names, and the pipeline-level ones. */
    private static CommandSpec spec(StageType stage) {
        CommandSpec spec = CommandSpec.create().name("lathe train").mixinStandardHelpOptions(true);
        spec.usageMessage().abbreviateSynopsis(true);
        spec.usageMessage().description("Train a kohya-compatible LoRA from a kohya dataset folder (subfolders "
                + "<repeats>_<name> with images and .txt captions). Every option of the train stage is a flag; see "
                + "docs/config.md for the details of each.");
        spec.addOption(CommandLine.Model.OptionSpec.builder("--checkpoint").paramLabel("FILE").required(true).type(String.class)
                .description("Base checkpoint: a .safetensors file or a diffusers folder.").build());
        spec.addOption(CommandLine.Model.OptionSpec.builder("--out").paramLabel("DIR").type(String.class)
                .description("Output folder (default: runs). The LoRA files go into DIR/<name>/.").build());
        spec.addOption(CommandLine.Model.OptionSpec.builder("--family").paramLabel("ID").type(String.class)
                .description("Model family (sd15, sdxl); default: detected from the checkpoint.").build());
        spec.addOption(CommandLine.Model.OptionSpec.builder("--device").paramLabel("cpu|gpu").type(String.class)
                .description("Where tensors live (default: cpu).").build());
        spec.addOption(CommandLine.Model.OptionSpec.builder("--optimizer-arg").paramLabel("KEY=VALUE").type(List.class)
                .auxiliaryTypes(String.class).arity("1")
                .description("An option of the optimizer plugin, repeatable (e.g. --optimizer-arg weightDecay=0.1).").build());
        for (OptionSpec option : stage.options()) {
            String shortFlag = SHORT.entrySet().stream().filter(e -> e.getValue().equals(option.name()))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            String[] names = shortFlag == null ? new String[] {flag(option.name())}
                    : new String[] {shortFlag, flag(option.name())};
            Builder builder = CommandLine.Model.OptionSpec.builder(names).description(describe(option))
                    .required(option.required());
            if (option.kind() == OptionSpec.Kind.BOOLEAN) {
                builder.type(Boolean.class).arity("0..1").paramLabel("true|false");
            } else {
                builder.type(String.class).arity("1").paramLabel(label(option));
            }
            spec.addOption(builder.build());
        }
        return spec;
    }

    /** One option value as the JSON a config file would hold. */
    private static JsonNode value(OptionSpec option, Object raw, ParseResult parsed) {
        String text = String.valueOf(raw);
        try {
            switch (option.kind()) {
                case BOOLEAN:
                    return JSON.getNodeFactory().booleanNode(raw == null || Boolean.TRUE.equals(raw)
                            || "true".equalsIgnoreCase(text));
                case INTEGER:
                    return JSON.getNodeFactory().numberNode(Long.parseLong(text.trim()));
                case NUMBER:
                    return JSON.getNodeFactory().numberNode(Double.parseDouble(text.trim()));
                case PATH:
                    return JSON.getNodeFactory().textNode(Path.of(text).toAbsolutePath().normalize().toString());
                case ARTIFACT:
                    return JSON.getNodeFactory().textNode(Files.exists(Path.of(text))
                            ? Path.of(text).toAbsolutePath().normalize().toString() : text);
                case PLUGIN: {
                    ObjectNode plugin = JSON.createObjectNode();
                    plugin.put("id", text);
                    List<String> args = parsed.matchedOptionValue("--optimizer-arg", List.<String>of());
                    for (String arg : args) {
                        int eq = arg.indexOf('=');
                        if (eq <= 0) {
                            throw new InvalidInputException("--optimizer-arg needs KEY=VALUE, got \"" + arg + "\".");
                        }
                        plugin.set(arg.substring(0, eq), scalar(arg.substring(eq + 1)));
                    }
                    return plugin;
                }
                case LIST:
                case OBJECT:
                    return JSON.readTree(text);
                default:
                    return JSON.getNodeFactory().textNode(text);
            }
        } catch (NumberFormatException | IOException e) {
            throw new InvalidInputException(flag(option.name()) + " needs " + label(option).toLowerCase(Locale.ROOT)
                    + ", got \"" + text + "\".");
        }
    }

    private static JsonNode scalar(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }

    /** {@code learningRate} → {@code --learning-rate}. */
    static String flag(String option) {
        return "--" + option.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replaceAll("([A-Z])([A-Z][a-z])", "$1-$2")
                .toLowerCase(Locale.ROOT);
    }

    private static String label(OptionSpec option) {
        return switch (option.kind()) {
            case INTEGER -> "N";
            case NUMBER -> "X";
            case PATH, ARTIFACT -> "PATH";
            case CHOICE -> String.join("|", option.choices());
            case PLUGIN -> "ID";
            case LIST, OBJECT -> "JSON";
            default -> "TEXT";
        };
    }

    private static String describe(OptionSpec option) {
        String text = option.description();
        if (option.defaultValue() != null && !(option.defaultValue() instanceof List)) {
            text += " (default: " + option.defaultValue() + ")";
        }
        return text.replace("%", "%%") + ".";
    }
}
