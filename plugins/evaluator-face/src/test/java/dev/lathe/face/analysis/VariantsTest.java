package dev.lathe.face.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.face.Fixtures;
import dev.lathe.face.likeness.DistanceMetric;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Same-person checks without labels: portraits cut from the samples, then flipped, re-encoded,
 * brightened, shifted, downscaled or cut at the face (the variants this module's test resources
 * hold), through the whole pipeline.
 */
class VariantsTest {

    private static final String[] FACES = {"s1f0", "s1f2", "s2f0", "s3f0", "s3f1"};

    /** Every variant in the test resources, with its fixture entry and decode. */
    static Stream<Arguments> variants() {
        List<Arguments> variants = new ArrayList<>();
        for (JsonNode face : Fixtures.json("variants.json").get("faces")) {
            face.get("variants").fields().forEachRemaining(v -> {
                String file = v.getValue().get("file").asText();
                if (Files.exists(Fixtures.path("").resolve(file))) {
                    // PNGs are lossless; the JPEG variant is compared with its ImageIO decode
                    String decode = file.endsWith(".png") ? "png" : "imageio";
                    variants.add(Arguments.of(face.get("face").asText() + " " + v.getKey(), file,
                            v.getValue().get("decodes").get(decode), v.getKey()));
                }
            });
        }
        return variants.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void pipelineMatchesAndSamePersonStaysBelowThreshold(String name, String file, JsonNode decode, String kind) {
        assertEquals(decode.get("rgbSha256").asText(), Fixtures.image(file).sha256(), name + " pixels");
        List<Face> faces = Fixtures.faces(file);
        assertEquals(decode.get("facesDetected").asInt(), faces.size(), name + " faces");
        Face face = faces.get(decode.get("selectedFace").asInt());
        FaceAnalyzerTest.assertFace(decode.get("face"), face);

        String id = name.substring(0, 4);
        double distance = DistanceMetric.EUCLIDEAN.between(original(id).descriptor(), face.descriptor());
        assertEquals(decode.get("distanceToOriginal").asDouble(), distance, 1e-4, name);
        if (!kind.equals("leftcut20")) { // the face cut at the border is an edge case, not a same-person check
            assertTrue(distance < 0.6, name + ": " + distance);
        }
    }

    @Test
    void differentPeopleAreFartherApartThanAnyVariant() {
        for (JsonNode pair : Fixtures.json("variants.json").get("differentPeople")) {
            double distance = DistanceMetric.EUCLIDEAN.between(original(pair.get("a").asText()).descriptor(),
                    original(pair.get("b").asText()).descriptor());
            assertEquals(pair.get("distance").asDouble(), distance, 1e-4, pair.toString());
            assertTrue(distance >= 0.6, pair.toString());
        }
    }

    private static Face original(String id) {
        JsonNode entry = null;
        for (JsonNode face : Fixtures.json("variants.json").get("faces")) {
            if (face.get("face").asText().equals(id)) {
                entry = face.get("variants").get("original");
            }
        }
        assertTrue(List.of(FACES).contains(id) && entry != null, id);
        return Fixtures.faces(entry.get("file").asText()).get(entry.get("decodes").get("png").get("selectedFace").asInt());
    }
}
