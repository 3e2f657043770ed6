package dev.lathe.config;

import static dev.lathe.config.TestConfigs.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.ArtifactRef;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.Options;
import dev.lathe.api.PluginChoice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReaderTest {

    @TempDir
    Path dir;

    private final ConfigReader reader = new ConfigReader(Fakes.catalog());

    @BeforeEach
    void files() {
        TestConfigs.prepare(dir);
    }

    private PipelineConfig read(String json) {
        return reader.read(TestConfigs.write(dir, json));
    }

    /** The problem lines of the exception reading {@code json} throws. */
    private List<String> problems(String json) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> read(json));
        List<String> lines = e.getMessage().lines().toList();
        int n = lines.size() - 1;
        assertEquals("The pipeline config " + dir.resolve("pipeline.json") + " has " + n + (n == 1 ? " problem:" : " problems:"),
                lines.get(0));
        return lines.subList(1, lines.size());
    }

    /** The one problem reading {@code json} finds. */
    private String problem(String json) {
        List<String> problems = problems(json);
        assertEquals(1, problems.size(), () -> "expected one problem, got " + problems);
        return problems.get(0);
    }

    /** A config with a checkpoint and the given stages (the inside of the "stages" array). */
    private static String withStages(String stages) {
        return """
                {
                  "checkpoint": "models/base.safetensors",
                  "stages": [
                %s
                  ]
                }
                """.formatted(stages.indent(4).stripTrailing());
    }

    private static String trainStage(String extraFields) {
        return """
                {
                  "name": "base3d",
                  "type": "train",
                  "dataset": "data/base3d",%s
                }""".formatted(extraFields.isEmpty() ? "" : "\n  " + extraFields);
    }

    @Nested
    class ValidConfigs {

        @Test
        void steppingStoneReadsWithDefaultsFilledIn() {
            PipelineConfig config = read(TestConfigs.STEPPING_STONE);

            assertEquals(dir.resolve("pipeline.json"), config.source());
            assertEquals("stepping-stone", config.name());
            assertEquals(dir.resolve("models/base.safetensors"), config.checkpoint());
            assertEquals("sd15", config.family());
            assertEquals("cpu", config.device());
            assertEquals(7, config.seed());
            assertEquals(dir.resolve("runs/stepping-stone"), config.output());
            assertEquals(List.of("base3d", "target", "check"), config.stages().stream().map(StageConfig::name).toList());
            assertEquals(List.of("train", "train", "evaluate"), config.stages().stream().map(StageConfig::type).toList());

            Options base = config.stages().get(0).options();
            assertEquals(dir.resolve("data/base3d"), base.getPath("dataset"));
            assertEquals(8L, base.getLong("epochs"));
            assertEquals(1e-4, base.getDouble("learningRate"));
            assertFalse(base.getBoolean("shuffleCaption"));
            assertEquals("fp32", base.getString("precision"));
            assertEquals(new PluginChoice("adamw", Options.of(Map.of("betas", List.of(0.9, 0.999), "weightDecay", 0.01))),
                    base.getPlugin("optimizer"));
            assertFalse(base.has("merge"), "an optional list without default stays absent");

            Options target = config.stages().get(1).options();
            assertEquals(new PluginChoice("adafactor", Options.of(Map.of("betas", List.of(0.9, 0.999), "weightDecay", 0.0))),
                    target.getPlugin("optimizer"));
            assertEquals(List.of(Options.of(Map.of("lora", ArtifactRef.stageOutput("base3d", "best"), "weight", 1.0))),
                    target.getList("merge"));

            assertEquals(ArtifactRef.stageOutput("target", "last"), config.stages().get(2).options().getArtifact("lora"));
            assertEquals(200L, config.stages().get(2).options().getLong("images"));
        }

        @Test
        void stageOptionsHoldOnlyTheTypesOptionsInDeclaredOrder() {
            Options base = read(TestConfigs.STEPPING_STONE).stages().get(0).options();
            assertEquals(List.of("dataset", "epochs", "learningRate", "rank", "optimizer", "shuffleCaption", "precision"),
                    List.copyOf(base.asMap().keySet()));
        }

        @Test
        void topLevelDefaults() throws Exception {
            Files.writeString(dir.resolve("my.run.json"), withStages(trainStage("")).replace(
                    "\"checkpoint\": \"models/base.safetensors\",\n", ""));
            PipelineConfig config = reader.read(dir.resolve("my.run.json"));
            assertEquals("my.run", config.name());
            assertNull(config.checkpoint());
            assertNull(config.family());
            assertNull(config.description());
            assertEquals("cpu", config.device());
            assertEquals(42, config.seed());
            assertEquals(dir.resolve("runs/my.run"), config.output());
        }

        @Test
        void outputIsRelativeToTheConfigFolderAndAnOverrideWins() {
            String json = """
                    {"output": "../elsewhere/out", "description": "notes", "device": "gpu", "stages": %s}
                    """.formatted(trainStage(""));
            PipelineConfig config = read(json);
            assertEquals(dir.getParent().resolve("elsewhere/out"), config.output());
            assertEquals("notes", config.description());
            assertEquals("gpu", config.device());

            Path override = dir.resolve("override");
            assertEquals(override, reader.read(dir.resolve("pipeline.json"), override).output());
        }

        @Test
        void aSingleValueIsAListOfOne() {
            PipelineConfig config = read(withStages(trainStage("") + ",\n" + """
                    {
                      "name": "target", "type": "train", "dataset": "data/target",
                      "merge": {"lora": "base3d.best"},
                      "tags": "white background",
                    }"""));
            Options target = config.stages().get(1).options();
            assertEquals(List.of(Options.of(Map.of("lora", ArtifactRef.stageOutput("base3d", "best"), "weight", 1.0))),
                    target.getList("merge"));
            assertEquals(List.of("white background"), target.getList("tags"));
        }

        @Test
        void anArtifactThatIsAFileResolvesAgainstTheConfigFolder() throws Exception {
            Files.writeString(dir.resolve("models/old.lora.safetensors"), "lora");
            PipelineConfig config = read(withStages("""
                    {"name": "check", "type": "evaluate", "lora": "models/old.lora.safetensors"}"""));
            assertEquals(ArtifactRef.file(dir.resolve("models/old.lora.safetensors")),
                    config.stages().get(0).options().getArtifact("lora"));
        }

        @Test
        void aFileNamedLikeAStageOutputIsAFileWhenNoSuchStageComesBefore() throws Exception {
            Files.writeString(dir.resolve("base3d.best"), "lora");
            PipelineConfig config = read(withStages("""
                    {"name": "check", "type": "evaluate", "lora": "base3d.best"}"""));
            assertEquals(ArtifactRef.file(dir.resolve("base3d.best")), config.stages().get(0).options().getArtifact("lora"));
        }

        @Test
        void commentsAndTrailingCommasAreAllowed() {
            PipelineConfig config = read("""
                    // a line comment
                    {
                      /* a block
                         comment */
                      "seed": 1, // after a value
                      "stages": [
                        {"name": "a", "type": "train", "dataset": "data", /* inline */ },
                      ],
                    }
                    """);
            assertEquals(1, config.seed());
            assertEquals("a", config.stages().get(0).name());
        }

        @Test
        void nullMeansNotGiven() {
            PipelineConfig config = read("""
                    {"seed": null, "checkpoint": null, "stages": [{"name": "a", "type": "train", "dataset": "d", "epochs": null}]}
                    """);
            assertEquals(42, config.seed());
            assertNull(config.checkpoint());
            assertEquals(10L, config.stages().get(0).options().getLong("epochs"));
        }

        @Test
        void integersAreAcceptedAsNumbersAndBoundsAreInclusive() {
            Options options = read(withStages(trainStage("\"learningRate\": 0, \"epochs\": 1000"))).stages().get(0).options();
            assertEquals(0.0, options.getDouble("learningRate"));
            assertEquals(1000L, options.getLong("epochs"));
        }

        @Test
        void homeFolderPaths() {
            Options options = read(withStages(trainStage("").replace("\"data/base3d\"", "\"~/datasets/x\""))).stages().get(0).options();
            assertEquals(Path.of(System.getProperty("user.home"), "datasets/x"), options.getPath("dataset"));
        }

        @Test
        void datasetPathsNeedNotExistYet() {
            Options options = read(withStages(trainStage("").replace("data/base3d", "made/later"))).stages().get(0).options();
            assertEquals(dir.resolve("made/later"), options.getPath("dataset"));
        }
    }

    @Nested
    class Errors {

        @Test
        void unknownFieldSuggestsTheClosestAndListsValidOnes() {
            String json = withStages(trainStage("\"epoch\": 8,"));
            assertEquals("pipeline.json, " + at(json, "\"epoch\"") + ": unknown field \"epoch\" in stage \"base3d\" (type train);"
                    + " did you mean \"epochs\"? Valid fields: name, type, dataset, epochs, learningRate, rank, optimizer,"
                    + " shuffleCaption, precision, merge, tags.", problem(json));
        }

        @Test
        void suggestionsIgnoreCaseAndStayQuietWhenNothingIsClose() {
            assertTrue(problem(withStages(trainStage("\"LearningRate\": 1,"))).contains("did you mean \"learningRate\"?"));
            String far = problem(withStages(trainStage("\"colour\": 1,")));
            assertFalse(far.contains("did you mean"), far);
            assertTrue(far.contains("unknown field \"colour\""), far);
        }

        @Test
        void unknownTopLevelField() {
            String json = "{\"sede\": 1, \"stages\": " + trainStage("") + "}";
            assertEquals("pipeline.json, line 1, column 2: unknown field \"sede\" at the top level; did you mean \"seed\"?"
                    + " Valid fields: name, description, checkpoint, family, device, seed, output, stages, provenance.", problem(json));
        }

        @Test
        void stringForInteger() {
            String json = withStages(trainStage("\"epochs\": \"eight\","));
            assertEquals("pipeline.json, " + at(json, "\"eight\"") + ": \"epochs\" in stage \"base3d\" must be a whole number,"
                    + " got the string \"eight\".", problem(json));
        }

        @Test
        void floatForInteger() {
            String json = withStages(trainStage("\"epochs\": 8.0,"));
            assertEquals("pipeline.json, " + at(json, "8.0") + ": \"epochs\" in stage \"base3d\" must be a whole number,"
                    + " got the number 8.0.", problem(json));
        }

        @Test
        void wrongTypesForTheOtherKinds() {
            String json = withStages(trainStage("""
                    "shuffleCaption": "yes", "learningRate": "fast", "dataset": 3, "merge": [[1]], "precision": 16,"""));
            List<String> problems = problems(json.replace("\"dataset\": \"data/base3d\",", ""));
            String text = json.replace("\"dataset\": \"data/base3d\",", "");
            assertEquals(List.of(
                    "pipeline.json, " + at(text, "\"yes\"") + ": \"shuffleCaption\" in stage \"base3d\" must be true or false, got the string \"yes\".",
                    "pipeline.json, " + at(text, "\"fast\"") + ": \"learningRate\" in stage \"base3d\" must be a number, got the string \"fast\".",
                    "pipeline.json, " + at(text, "3,") + ": \"dataset\" in stage \"base3d\" must be a path, got the number 3.",
                    "pipeline.json, " + at(text, "[1]") + ": \"merge[0]\" in stage \"base3d\" must be an object, got an array.",
                    "pipeline.json, " + at(text, "16") + ": \"precision\" in stage \"base3d\" must be one of fp32, fp16, bf16, got the number 16."),
                    problems);
        }

        @Test
        void arrayForObject() {
            String json = withStages(trainStage("\"optimizer\": [\"adamw\"],"));
            assertEquals("pipeline.json, " + at(json, "[\"adamw\"]") + ": \"optimizer\" in stage \"base3d\" must be a plugin id"
                    + " or an object with an \"id\" field and the plugin's options, got an array.", problem(json));
        }

        @Test
        void minimumAndMaximum() {
            String json = withStages(trainStage("\"epochs\": 0, \"rank\": -4, \"learningRate\": -0.5, \"merge\": {\"lora\": \"models/base.safetensors\", \"weight\": 11.5},"));
            assertEquals(List.of(
                    "pipeline.json, " + at(json, "0,") + ": \"epochs\" in stage \"base3d\" must be between 1 and 1000, got the number 0.",
                    "pipeline.json, " + at(json, "-4") + ": \"rank\" in stage \"base3d\" must be at least 1, got the number -4.",
                    "pipeline.json, " + at(json, "-0.5") + ": \"learningRate\" in stage \"base3d\" must be at least 0, got the number -0.5.",
                    "pipeline.json, " + at(json, "11.5") + ": \"merge.weight\" in stage \"base3d\" must be between -10 and 10, got the number 11.5."),
                    problems(json));
        }

        @Test
        void wholeNumberTooLarge() {
            String json = "{\"seed\": 99999999999999999999, \"stages\": " + trainStage("") + "}";
            assertEquals("pipeline.json, line 1, column 10: \"seed\" must be a whole number between -9223372036854775808 and"
                    + " 9223372036854775807, got the number 99999999999999999999.", problem(json));
        }

        @Test
        void choiceListsTheChoices() {
            String json = "{\"device\": \"gpus\", \"stages\": " + trainStage("") + "}";
            assertEquals("pipeline.json, line 1, column 12: \"device\" must be one of cpu, gpu, got the string \"gpus\"; did you mean \"gpu\"?",
                    problem(json));
        }

        @Test
        void unknownPluginIdListsTheInstalledOnes() {
            String json = withStages(trainStage("\"optimizer\": \"adamx\","));
            assertEquals("pipeline.json, " + at(json, "\"adamx\"") + ": \"optimizer\" in stage \"base3d\" names \"adamx\", which is"
                    + " not an installed optimizer factory; did you mean \"adamw\"? Installed: adafactor, adamw.", problem(json));
        }

        @Test
        void unknownFamily() {
            String json = "{\"family\": \"sd1.5\", \"stages\": " + trainStage("") + "}";
            assertEquals("pipeline.json, line 1, column 12: \"family\" names \"sd1.5\", which is not an installed base model family;"
                    + " did you mean \"sd15\"? Installed: sd15, sdxl.", problem(json));
        }

        @Test
        void pluginObjectOptionsAreChecked() {
            String json = withStages(trainStage("\"optimizer\": {\"id\": \"adamw\", \"betas\": [0.9, 1.5], \"weightDecy\": 0.1},"));
            assertEquals(List.of(
                    "pipeline.json, " + at(json, "1.5") + ": \"optimizer.betas[1]\" in stage \"base3d\" must be between 0 and 1, got the number 1.5.",
                    "pipeline.json, " + at(json, "\"weightDecy\"") + ": unknown field \"weightDecy\" in \"optimizer\" (plugin adamw) of stage"
                            + " \"base3d\" (type train); did you mean \"weightDecay\"? Valid fields: id, betas, weightDecay."),
                    problems(json));
        }

        @Test
        void pluginObjectWithoutId() {
            String json = withStages(trainStage("\"optimizer\": {\"betas\": [0.9, 0.99]},"));
            assertEquals("pipeline.json, " + at(json, "{\"betas\"") + ": missing required field \"id\" in \"optimizer\" in stage"
                    + " \"base3d\": the id of the optimizer factory to use. Installed: adafactor, adamw.", problem(json));
        }

        @Test
        void pluginObjectForm() {
            Options options = read(withStages(trainStage("\"optimizer\": {\"id\": \"adamw\", \"betas\": 0.5},"))).stages().get(0).options();
            assertEquals(new PluginChoice("adamw", Options.of(Map.of("betas", List.of(0.5), "weightDecay", 0.01))),
                    options.getPlugin("optimizer"));
        }

        @Test
        void missingRequiredFieldNamesItAndPointsAtTheObject() {
            String json = withStages("""
                    {
                      "name": "base3d",
                      "type": "train",
                    }""");
            assertEquals("pipeline.json, " + at(json, "{\n      \"name\"") + ": missing required field \"dataset\" in stage"
                    + " \"base3d\" (type train): dataset folder.", problem(json));
        }

        @Test
        void missingStagesAndEmptyStages() {
            assertEquals("pipeline.json, line 1, column 1: missing required field \"stages\" at the top level: the stages, run in order.",
                    problem("{\"seed\": 3}"));
            assertEquals("pipeline.json, line 1, column 12: \"stages\" is empty; a pipeline needs at least one stage.",
                    problem("{\"stages\": []}"));
        }

        @Test
        void stageWithoutNameOrType() {
            String json = withStages("{\"dataset\": \"x\"}");
            assertEquals(List.of(
                    "pipeline.json, " + at(json, "{\"dataset\"") + ": missing required field \"name\" in stage #1: unique name of the stage"
                            + " ([A-Za-z][A-Za-z0-9_-]*); later stages refer to its outputs as name.output.",
                    "pipeline.json, " + at(json, "{\"dataset\"") + ": missing required field \"type\" in stage #1: the stage type's id, e.g. train."),
                    problems(json));
        }

        @Test
        void unknownStageTypeListsTypesAndDoesNotFlagItsFields() {
            String json = withStages("{\"name\": \"a\", \"type\": \"trian\", \"epochs\": 3}");
            assertEquals("pipeline.json, " + at(json, "\"trian\"") + ": \"type\" in stage \"a\" names \"trian\", which is not an"
                    + " installed stage type; did you mean \"train\"? Installed: evaluate, train.", problem(json));
        }

        @Test
        void referencesToAStageOfUnknownTypeAreNotFlaggedAgain() {
            String json = withStages("""
                    {"name": "base3d", "type": "trian", "dataset": "d"},
                    {"name": "check", "type": "evaluate", "lora": "base3d.best"}""");
            assertTrue(problem(json).contains("names \"trian\", which is not an installed stage type"));
        }

        @Test
        void duplicateStageNames() {
            String json = withStages(trainStage("") + ",\n" + trainStage(""));
            assertEquals("pipeline.json, " + at(json, "\"base3d\"", 1) + ": the stage name \"base3d\" is already used by the stage on line "
                    + at(json, "\"base3d\"", 0).split(",")[0].substring(5) + "; stage names must be unique.", problem(json));
        }

        @Test
        void stageNamesCannotHoldDots() {
            String json = withStages("{\"name\": \"base.3d\", \"type\": \"train\", \"dataset\": \"d\"}");
            assertEquals("pipeline.json, " + at(json, "\"base.3d\"") + ": the stage name \"base.3d\" is not allowed: a name starts"
                    + " with a letter and holds only letters, digits, '_' and '-' (other stages refer to its outputs as name.output).",
                    problem(json));
        }

        @Test
        void forwardReferenceSaysTheStageComesLater() {
            String json = withStages("""
                    {"name": "first", "type": "train", "dataset": "d"},
                    {"name": "check", "type": "evaluate", "lora": "base3d.best"},
                    {"name": "base3d", "type": "train", "dataset": "d"}""");
            assertEquals("pipeline.json, " + at(json, "\"base3d.best\"") + ": \"lora\" in stage \"check\" names \"base3d.best\", but stage"
                    + " \"base3d\" comes later in the pipeline; a stage can only use outputs of stages before it."
                    + " Stages before it: first (best, last).", problem(json));
        }

        @Test
        void aStageCannotUseItsOwnOutput() {
            String json = withStages("{\"name\": \"check\", \"type\": \"evaluate\", \"lora\": \"check.report\"}");
            assertEquals("pipeline.json, " + at(json, "\"check.report\"") + ": \"lora\" in stage \"check\" names \"check.report\", which is"
                    + " neither an existing file (" + dir.resolve("check.report") + ") nor an output of an earlier stage."
                    + " No stage comes before it.", problem(json));
        }

        @Test
        void unknownOutputOfAnEarlierStageListsItsOutputs() {
            String json = withStages(trainStage("") + ",\n" + """
                    {"name": "target", "type": "train", "dataset": "d", "merge": [{"lora": "base3d.bset", "weight": 1.0}]}""");
            assertEquals("pipeline.json, " + at(json, "\"base3d.bset\"") + ": \"merge[0].lora\" in stage \"target\" names \"base3d.bset\","
                    + " but stage \"base3d\" has no output \"bset\"; did you mean \"best\"? Its outputs: best, last.", problem(json));
        }

        @Test
        void neitherFileNorStageListsTheEarlierStages() {
            String json = withStages(trainStage("") + ",\n" + """
                    {"name": "check", "type": "evaluate", "lora": "base3e.best"}""");
            assertEquals("pipeline.json, " + at(json, "\"base3e.best\"") + ": \"lora\" in stage \"check\" names \"base3e.best\", which is"
                    + " neither an existing file (" + dir.resolve("base3e.best") + ") nor an output of an earlier stage;"
                    + " did you mean \"base3d.best\"? Stages before it: base3d (best, last).", problem(json));
        }

        @Test
        void missingArtifactFile() {
            String json = withStages("{\"name\": \"check\", \"type\": \"evaluate\", \"lora\": \"loras/gone.safetensors\"}");
            assertEquals("pipeline.json, " + at(json, "\"loras/") + ": \"lora\" in stage \"check\" names \"loras/gone.safetensors\": the file "
                    + dir.resolve("loras/gone.safetensors") + " does not exist.", problem(json));
        }

        @Test
        void checkpointMustExist() {
            String json = "{\"checkpoint\": \"models/missing.safetensors\", \"stages\": " + trainStage("") + "}";
            assertEquals("pipeline.json, line 1, column 16: \"checkpoint\" names " + dir.resolve("models/missing.safetensors")
                    + ", which does not exist; give a .safetensors file or a diffusers folder"
                    + " (a relative path starts from the config file's folder).", problem(json));
        }

        @Test
        void malformedJsonGivesTheParsersPositionAndExpectation() {
            String json = """
                    {
                      "seed": 3
                      "stages": []
                    }
                    """;
            String problem = problem(json);
            assertTrue(problem.startsWith("pipeline.json, line 3, column 3: malformed JSON: Unexpected character ('\"' (code 34)):"
                    + " was expecting comma to separate Object entries"), problem);
        }

        @Test
        void unclosedObject() {
            String problem = problem("{\n  \"stages\": [\n");
            assertTrue(problem.startsWith("pipeline.json, line 3, column 1: malformed JSON: Unexpected end-of-input"), problem);
            assertTrue(problem.contains("line 2, column 13"), "names where the open array starts: " + problem);
            assertFalse(problem.contains("Source"), problem);
        }

        @Test
        void emptyFileAndContentAfterTheEnd() {
            assertEquals("pipeline.json, line 1, column 1: the file holds no JSON; a pipeline config is an object: { \"stages\": [ ... ] }.",
                    problem("  // nothing\n"));
            assertEquals("pipeline.json, line 1, column 16: malformed JSON: more content after the end of the top-level value;"
                    + " remove it or fix the braces before it.", problem("{\"stages\": []} {}"));
        }

        @Test
        void topLevelMustBeAnObject() {
            assertEquals("pipeline.json, line 1, column 1: the file must hold a JSON object { ... } with the pipeline's fields, got an array.",
                    problem("[1, 2]"));
        }

        @Test
        void aFieldGivenTwice() {
            String json = withStages(trainStage("\"epochs\": 3, \"epochs\": 4,"));
            assertEquals("pipeline.json, " + at(json, "\"epochs\"", 1) + ": the field \"epochs\" is given twice in this object (first on line "
                    + at(json, "\"epochs\"").split(",")[0].substring(5) + "); keep one.", problem(json));
        }

        @Test
        void everyProblemIsReportedInFileOrder() {
            String json = withStages("""
                    {"name": "base3d", "type": "train", "dataset": "d", "epochs": "eight", "optimizer": "adamx"},
                    {"name": "check", "type": "evaluate", "lora": "base3d.bset", "imgs": 3}""");
            List<String> problems = problems(json);
            assertEquals(4, problems.size(), problems::toString);
            assertTrue(problems.get(0).contains("\"epochs\""), problems::toString);
            assertTrue(problems.get(1).contains("\"adamx\""), problems::toString);
            assertTrue(problems.get(2).contains("\"base3d.bset\""), problems::toString);
            assertTrue(problems.get(3).contains("unknown field \"imgs\""), problems::toString);
        }

        @Test
        void aMissingConfigFile() {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> reader.read(dir.resolve("nope.json")));
            assertEquals("The pipeline config " + dir.resolve("nope.json") + " does not exist. Check the path;"
                    + " a relative path starts from the current directory.", e.getMessage());
        }
    }
}
