package dev.lathe.text;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.lathe.api.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A BPE vocabulary as read from disk: the merges in rank order and the token ids.
 *
 * <p>Two file formats hold the same vocabulary:
 * <ul>
 * <li>OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}: a header line, then merges {@code a b} one
 *     per line. CLIP uses the first 48,894 (49,152 − 256 − 2) and derives the ids: the 256 byte
 *     symbols, the same with {@code </w>}, each merge's concatenation in merge order, then
 *     {@code <|startoftext|>} and {@code <|endoftext|>} — 49,408 ids.
 * <li>Hugging Face's {@code vocab.json} ({@code {"token": id}}) and {@code merges.txt}
 *     ({@code #version} header, then the merges).
 * </ul>
 */
final class ClipVocabulary {

    static final String START_OF_TEXT = "<|startoftext|>";
    static final String END_OF_TEXT = "<|endoftext|>";
    static final String END_OF_WORD = "</w>";

    /** How many merges CLIP takes from OpenAI's file; the file has more lines that it ignores. */
    static final int OPENAI_MERGES = 49152 - 256 - 2;

    final List<String[]> merges;
    final Map<String, Integer> ids;
    final String source;

    private ClipVocabulary(List<String[]> merges, Map<String, Integer> ids, String source) {
        this.merges = merges;
        this.ids = ids;
        this.source = source;
    }

    /** The vocabulary CLIP derives from {@code merges}, as for OpenAI's file. */
    static ClipVocabulary derivedFrom(List<String[]> merges, String source) {
        Map<String, Integer> ids = new HashMap<>(2 * (512 + merges.size() + 2));
        String[] bytes = ByteSymbols.inVocabularyOrder();
        for (String symbol : bytes) {
            ids.put(symbol, ids.size());
        }
        for (String symbol : bytes) {
            ids.put(symbol + END_OF_WORD, ids.size());
        }
        for (String[] merge : merges) {
            ids.put(merge[0] + merge[1], ids.size());
        }
        ids.put(START_OF_TEXT, ids.size());
        ids.put(END_OF_TEXT, ids.size());
        return new ClipVocabulary(merges, ids, source);
    }

    /** Reads OpenAI's gzip-compressed merges file. */
    static ClipVocabulary readOpenAi(Path gz) {
        List<String[]> merges = new ArrayList<>(OPENAI_MERGES);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz));
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            reader.readLine(); // header: "bpe_simple_vocab_16e6.txt#version: 0.2"
            for (int line = 2; merges.size() < OPENAI_MERGES; line++) {
                String text = reader.readLine();
                if (text == null) {
                    break;
                }
                merges.add(merge(text, gz, line));
            }
        } catch (IOException e) {
            throw unreadable(gz, e, "OpenAI's gzip-compressed CLIP merges file (bpe_simple_vocab_16e6.txt.gz)");
        }
        if (merges.isEmpty()) {
            throw new InvalidInputException("The CLIP vocabulary file " + gz + " holds no merges. It should be "
                    + "OpenAI's bpe_simple_vocab_16e6.txt.gz (a header line, then one merge \"a b\" per line); "
                    + "replace it with an intact copy.");
        }
        return derivedFrom(merges, gz.toString());
    }

    /** Reads Hugging Face's {@code vocab.json} and {@code merges.txt}. */
    static ClipVocabulary readHuggingFace(Path vocabJson, Path mergesTxt) {
        return new ClipVocabulary(readMerges(mergesTxt), readIds(vocabJson), vocabJson + " and " + mergesTxt);
    }

    private static List<String[]> readMerges(Path mergesTxt) {
        List<String[]> merges = new ArrayList<>(OPENAI_MERGES);
        try (BufferedReader reader = Files.newBufferedReader(mergesTxt, StandardCharsets.UTF_8)) {
            int line = 0;
            for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                line++;
                if (text.isEmpty() || (line == 1 && text.startsWith("#version"))) {
                    continue;
                }
                merges.add(merge(text, mergesTxt, line));
            }
        } catch (IOException e) {
            throw unreadable(mergesTxt, e, "a Hugging Face merges.txt");
        }
        return merges;
    }

    private static Map<String, Integer> readIds(Path vocabJson) {
        Map<String, Integer> ids = new HashMap<>(1 << 17);
        try (JsonParser json = new JsonFactory().createParser(vocabJson.toFile())) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw notVocabulary(vocabJson, "it does not start with a JSON object");
            }
            for (JsonToken token = json.nextToken(); token == JsonToken.FIELD_NAME; token = json.nextToken()) {
                String name = json.currentName();
                if (json.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                    throw notVocabulary(vocabJson, "the value of \"" + name + "\" is not an integer id");
                }
                ids.put(name, json.getIntValue());
            }
        } catch (IOException e) {
            throw unreadable(vocabJson, e, "a Hugging Face vocab.json");
        }
        // Ids index the decoding table: they must be 0..n-1, each used once.
        if (ids.values().stream().anyMatch(id -> id < 0 || id >= ids.size())
                || new HashSet<>(ids.values()).size() != ids.size()) {
            throw notVocabulary(vocabJson, "its " + ids.size() + " ids are not the numbers 0 to " + (ids.size() - 1)
                    + ", each used once");
        }
        return ids;
    }

    private static String[] merge(String text, Path file, int line) {
        String[] pair = text.trim().split(" +");
        if (pair.length != 2) {
            throw new InvalidInputException("Line " + line + " of the BPE merges file " + file + " is \"" + text
                    + "\", not a merge of two symbols separated by a space. The file is damaged or is not a "
                    + "CLIP merges file; replace it with an intact copy.");
        }
        return pair;
    }

    private static InvalidInputException notVocabulary(Path file, String problem) {
        return new InvalidInputException("The tokenizer file " + file + " is not a BPE vocabulary: " + problem
                + ". vocab.json must be a JSON object mapping each token to its integer id, as in "
                + "https://huggingface.co/openai/clip-vit-large-patch14; replace it with an intact copy.");
    }

    private static InvalidInputException unreadable(Path file, IOException e, String what) {
        return new InvalidInputException("Cannot read the tokenizer file " + file + " (" + e.getClass().getSimpleName()
                + ": " + e.getMessage() + "). It should be " + what + "; check that the file exists and is "
                + "readable, or replace it with an intact copy.", e);
    }
}
