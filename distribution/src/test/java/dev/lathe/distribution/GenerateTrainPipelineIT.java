package dev.lathe.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.render.GenerationParameters;
import dev.lathe.render.RenderedImage;
import dev.lathe.safetensors.SafeTensorsFile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The negative-LoRA workflow (examples/workflows/negative-lora.json) in miniature, through
 * {@code lathe run}: a generate stage renders "bad" images with the base model and lays them out as
 * a kohya dataset, a train stage learns a LoRA from {@code bad.dataset}, and a second generate
 * stage compares the base model and the LoRA with and without {@code wrong} as the negative prompt.
 * On the tiny SD 1.5 fixture from the shared folder, 64x64, a few steps.
 */
public class GenerateTrainPipelineIT {

    @ClassRule
    public static final TemporaryFolder TEMP = new TemporaryFolder();

    @Test
    public void generatedImagesBecomeADatasetThatTrainsALoraThatTheNextStageCompares() throws Exception {
        Path tiny = LatheBinaryIT.SharedFixtures.file("sd15/tiny.safetensors");
        Path work = TEMP.newFolder("negative").toPath();
        Path config = Files.writeString(work.resolve("negative.json"), """
                {
                  "name": "negative", "checkpoint": "TINY", "family": "sd15", "seed": 7,
                  "stages": [
                    {"name": "bad", "type": "generate", "prompts": ["(blurry:1.4), a cat", "(distorted:1.3), a dog"],
                     "seeds": [1, 2], "width": 64, "height": 64, "steps": 3,
                     "dataset": {"repeats": 2, "name": "wrong", "caption": "wrong"}},
                    {"name": "wrong", "type": "train", "dataset": "bad.dataset", "outputName": "wrong",
                     "resolution": "64", "minBucketReso": 64, "maxBucketReso": 128, "maxTrainEpochs": 2,
                     "learningRate": 0.001, "networkDim": 4, "networkAlpha": 2},
                    {"name": "compare", "type": "generate", "prompts": ["a cat"], "negativePrompts": ["", "wrong"],
                     "loras": [{"lora": "wrong.last", "strength": [0, 1]}], "seeds": [5],
                     "width": 64, "height": 64, "steps": 3, "grid": true}
                  ]
                }
                """.replace("TINY", tiny.toString()));
        Path out = work.resolve("out");
        LatheBinaryIT.Run run = LatheBinaryIT.lathe("run", config.toString(), "--out", out.toString());
        assertEquals(run.err(), 0, run.code());
        assertEquals("done", new ObjectMapper().readTree(out.resolve("run.json").toFile()).get("status").asText());

        Path folder = out.resolve("bad/dataset/2_wrong");
        List<String> images = List.of("p00-1", "p00-2", "p01-1", "p01-2");
        for (String image : images) {
            assertTrue(image, Files.isRegularFile(folder.resolve(image + ".png")));
            assertEquals("wrong", Files.readString(folder.resolve(image + ".txt")));
        }
        assertEquals(8, list(folder).size());

        Path lora = out.resolve("wrong/wrong.safetensors");
        Map<String, String> metadata = SafeTensorsFile.readMetadata(lora);
        assertEquals("8", metadata.get("ss_num_train_images"));
        JsonNode dirs = new ObjectMapper().readTree(metadata.get("ss_dataset_dirs"));
        assertEquals(2, dirs.get("2_wrong").get("n_repeats").asInt());
        assertEquals(4, dirs.get("2_wrong").get("img_count").asInt());
        assertEquals(4, new ObjectMapper().readTree(metadata.get("ss_tag_frequency")).get("2_wrong").get("wrong").asInt());

        Path compare = out.resolve("compare/images");
        assertEquals(List.of("wrong@0+neg=none", "wrong@0+neg=wrong", "wrong@1+neg=none", "wrong@1+neg=wrong"),
                list(compare));
        GenerationParameters withLora = RenderedImage.readParameters(compare.resolve("wrong@1+neg=wrong/p00-5.png"));
        assertEquals("a cat <lora:wrong:1>", withLora.prompt());
        assertEquals("wrong", withLora.negativePrompt());
        assertEquals(metadata.get("sshs_model_hash").substring(0, 12), withLora.loraHashes().get("wrong"));
        assertEquals("", RenderedImage.readParameters(compare.resolve("wrong@0+neg=none/p00-5.png")).negativePrompt());
        assertFalse("the trained LoRA changes the image", Arrays.equals(pixels(compare.resolve("wrong@0+neg=wrong/p00-5.png")),
                pixels(compare.resolve("wrong@1+neg=wrong/p00-5.png"))));
        assertFalse("the negative prompt changes the image", Arrays.equals(pixels(compare.resolve("wrong@0+neg=none/p00-5.png")),
                pixels(compare.resolve("wrong@0+neg=wrong/p00-5.png"))));
        assertTrue(Files.isRegularFile(out.resolve("compare/grids/p00.png")));
    }

    private static List<String> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static int[] pixels(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
