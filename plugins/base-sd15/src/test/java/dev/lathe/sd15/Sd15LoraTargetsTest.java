package dev.lathe.sd15;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.safetensors.SafeTensorsFile;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The modules and names kohya-ss gives a LoRA, from shapes alone. */
class Sd15LoraTargetsTest {

    private final Sd15Family family = new Sd15Family();

    @Test
    void tinyTargetsContainTheFixtureLora() throws IOException {
        List<LoraTarget> targets = family.loraTargets(SafeTensorsFile.readHeader(Fixtures.tiny()), LoraScope.defaults());
        Map<String, LoraTarget> byName = targets.stream().collect(Collectors.toMap(LoraTarget::loraName, t -> t));
        assertEquals(4 * 12 + 2 * 6, targets.size(), "4 transformers x 12 modules + 2 text layers x 6");
        for (JsonNode m : Fixtures.json(Fixtures.resource("lora_key_map.json"))) {
            LoraTarget t = byName.get(m.get("kohya").asText());
            assertTrue(t != null, m.get("kohya").asText());
            assertEquals(m.get("ldm_weight_key").asText(), t.weightKey());
            JsonNode shape = m.get("weight_shape");
            assertEquals(shape.get(0).asLong(), t.outFeatures());
            assertEquals(shape.get(1).asLong(), t.inFeatures());
            assertEquals(m.get("layer").asText().equals("conv1x1"), t.conv());
        }
    }

    @Test
    void realSd15TargetsAreKohyas() {
        JsonNode kohya = Fixtures.json(Fixtures.shared("train/lora_keys_sd15.json")).get("kohya");
        var header = Headers.realSd15();
        assertEquals(describe(kohya.get("lora")), describe(family.loraTargets(header, LoraScope.defaults())));
        assertEquals(describe(kohya.get("locon")), describe(family.loraTargets(header, new LoraScope(true, true, true))));
        assertEquals(192, family.loraTargets(header, new LoraScope(true, false, false)).size());
        assertEquals(72, family.loraTargets(header, new LoraScope(false, true, false)).size());
    }

    /** name → "kind in out" for kohya's list. */
    private static Map<String, String> describe(JsonNode modules) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode m : modules) {
            JsonNode w = m.get("org_weight_shape");
            String kind = w.size() == 2 ? "linear" : "conv" + w.get(2).asInt();
            out.put(m.get("name").asText(), kind + " " + w.get(1).asLong() + " " + w.get(0).asLong());
        }
        return out;
    }

    private static Map<String, String> describe(List<LoraTarget> targets) {
        Map<String, String> out = new TreeMap<>();
        for (LoraTarget t : targets) {
            out.put(t.loraName(), (t.conv() ? "conv" + t.kernel() : "linear") + " " + t.inFeatures() + " " + t.outFeatures());
        }
        return out;
    }
}
