package dev.lathe.face.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.face.Fixtures;
import dev.lathe.face.likeness.DistanceMetric;
import dev.lathe.face.likeness.ReferenceSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Distances between the 13 faces of the sample photos (ImageIO decodes) and face-api's
 * FaceMatcher built from the other photos, from descriptors this pipeline computed.
 */
class DistancesTest {

    /** Face id to descriptor, in the fixtures' order. */
    private static Map<String, float[]> descriptors() {
        Map<String, float[]> descriptors = new LinkedHashMap<>();
        for (int n = 1; n <= 4; n++) {
            JsonNode faces = Fixtures.json("samples/sample" + n + ".json").get("decodes").get("imageio").get("faces");
            List<Face> found = Fixtures.faces("images/sample" + n + ".jpg");
            for (int i = 0; i < faces.size(); i++) {
                descriptors.put(faces.get(i).get("id").asText(), found.get(i).descriptor());
            }
        }
        return descriptors;
    }

    @Test
    void distanceMatrix() {
        JsonNode expected = Fixtures.json("distances.json").get("imageio");
        Map<String, float[]> descriptors = descriptors();
        JsonNode ids = expected.get("ids");
        for (int i = 0; i < ids.size(); i++) {
            for (int j = 0; j < ids.size(); j++) {
                double distance = DistanceMetric.EUCLIDEAN.between(descriptors.get(ids.get(i).asText()), descriptors.get(ids.get(j).asText()));
                assertEquals(expected.get("matrix").get(i).get(j).asDouble(), distance, 1e-4, ids.get(i) + " / " + ids.get(j));
            }
        }
    }

    @Test
    void faceMatcherAgainstTheOtherPhotos() {
        Map<String, float[]> descriptors = descriptors();
        double threshold = Fixtures.json("facematcher.json").get("threshold").asDouble();
        for (JsonNode result : Fixtures.json("facematcher.json").get("results").get("imageio")) {
            String query = result.get("query").asText();
            String nearest = null;
            double smallest = Double.POSITIVE_INFINITY;
            for (Map.Entry<String, float[]> label : descriptors.entrySet()) {
                if (label.getKey().startsWith(query.substring(0, 2))) {
                    continue; // faces of the query's own photo are not references
                }
                double d = new ReferenceSet(List.of(label.getValue())).meanDistance(descriptors.get(query), DistanceMetric.EUCLIDEAN);
                if (d <= smallest) { // face-api keeps the later label on an exact tie
                    smallest = d;
                    nearest = label.getKey();
                }
            }
            assertEquals(result.get("distance").asDouble(), smallest, 1e-4, query);
            assertEquals(result.get("nearestLabel").asText(), nearest, query);
            if (Math.abs(smallest - threshold) > 1e-4) {
                assertEquals(result.get("bestMatch").asText(), smallest < threshold ? nearest : "unknown", query);
            }
        }
    }
}
