package dev.lathe.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * A tiny BPE vocabulary for tests that run without the shared fixtures: a handful of merges that
 * make {@code cat}, {@code dog}, {@code red} and {@code hat} one token each (the comma is a byte
 * symbol and one token anyway). The merges of {@code cat} are listed out of order on purpose:
 * {@code a t</w>} outranks {@code c a}, so only lowest-rank-first merging reaches {@code cat</w>}.
 */
final class SyntheticVocabulary {

    static final List<String> MERGES = List.of(
            "a t</w>",    // 0
            "c a",        // 1: would block "cat" if merged before rank 0
            "c at</w>",   // 2
            "d o",        // 3
            "do g</w>",   // 4
            "r e",        // 5
            "re d</w>",   // 6
            "h at</w>");  // 7

    /** CLIP's ids: 256 byte symbols, 256 with {@code </w>}, then one per merge. */
    static final int FIRST_MERGE_ID = 512;

    private SyntheticVocabulary() {
    }

    static ClipTokenizer tokenizer() {
        return ClipTokenizer.fromMerges(MERGES);
    }

    /** The id CLIP derives for the result of merge {@code rank}. */
    static int mergeId(int rank) {
        return FIRST_MERGE_ID + rank;
    }

    /** OpenAI's format: gzip, a header line, one merge per line. */
    static Path writeOpenAi(Path folder) throws IOException {
        Path file = folder.resolve(TokenizerFiles.OPENAI_VOCABULARY);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(("bpe_simple_vocab_16e6.txt#version: 0.2\n" + String.join("\n", MERGES) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    /** Hugging Face's format: vocab.json and merges.txt in {@code folder}. */
    static Path writeHuggingFace(Path folder) throws IOException {
        Files.createDirectories(folder);
        Files.write(folder.resolve(TokenizerFiles.VOCAB_JSON), vocabJson());
        Files.write(folder.resolve(TokenizerFiles.MERGES_TXT), mergesTxt());
        return folder;
    }

    static byte[] vocabJson() throws IOException {
        ClipTokenizer tokenizer = tokenizer();
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int id = 0; id < tokenizer.vocabularySize(); id++) {
            ids.put(tokenizer.token(id), id);
        }
        return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(ids);
    }

    static byte[] mergesTxt() {
        return ("#version: 0.2\n" + String.join("\n", MERGES) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
