package dev.lathe.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code text/tokens.json}, a copy of {@code ../shared/fixtures/sd15/tokens.json}: prompts and
 * what OpenAI's CLIP tokenizer makes of them.
 */
final class TokenFixtures {

    /** One prompt of the fixture and the reference tokenizer's results. */
    record Prompt(int index, String prompt, String normalized, List<String> bpeTokens, int[] ids, int[] inputIds,
            int eosPosition, boolean truncated) {

        @Override
        public String toString() {
            String shown = prompt.length() > 40 ? prompt.substring(0, 40) + "…" : prompt;
            return "#" + index + " \"" + shown.replace("\n", "\\n").replace("\t", "\\t") + "\"";
        }
    }

    private final JsonNode root;

    private TokenFixtures(JsonNode root) {
        this.root = root;
    }

    static TokenFixtures load() {
        try (InputStream in = TokenFixtures.class.getResourceAsStream("/text/tokens.json")) {
            return new TokenFixtures(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int bos() {
        return root.get("bos").asInt();
    }

    int eos() {
        return root.get("eos").asInt();
    }

    int pad() {
        return root.get("pad").asInt();
    }

    int maxLength() {
        return root.get("max_length").asInt();
    }

    List<Prompt> prompts() {
        List<Prompt> prompts = new ArrayList<>();
        JsonNode list = root.get("prompts");
        for (int i = 0; i < list.size(); i++) {
            JsonNode p = list.get(i);
            List<String> pieces = new ArrayList<>();
            p.get("bpe_tokens").forEach(t -> pieces.add(t.asText()));
            prompts.add(new Prompt(i, p.get("prompt").asText(), p.get("normalized").asText(), pieces,
                    ints(p.get("ids")), ints(p.get("input_ids")), p.get("eos_position").asInt(),
                    p.get("truncated").asBoolean()));
        }
        return prompts;
    }

    private static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }
}
