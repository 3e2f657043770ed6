package dev.lathe.sd15;

import dev.lathe.text.ByteLevelBpe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The tokenizer of the tiny built-in model: a small CLIP-style byte-level BPE vocabulary learnt
 * ({@link ByteLevelBpe}) from a short built-in list of caption words, because the real CLIP
 * vocabulary is not Lathe's to ship. {@link dev.lathe.text.ClipTokenizer} reads it like the real
 * one; any text encodes, and words from the list take fewer tokens.
 */
final class TinyVocabulary {

    /** How many merges are learnt at most; learning stops earlier once every word is one token. */
    static final int MAX_MERGES = 2048;

    /**
     * The words the merges are learnt from, with repeats as their weight: Danbooru-style tags and
     * plain words of the kind that captions and sample prompts use, and the quickstart's subject.
     */
    private static final String CORPUS = """
            lathecat lathecat lathecat lathecat cat cat cat cat kitten animal pet
            a an the of and with on in at from by to for no solo portrait
            girl girl boy woman man person people face faces eyes eye hair ears ear nose mouth tail fur paws
            smile smiling open closed looking at viewer side behind front back upper body full close up
            white white black black red red orange orange yellow green green blue blue purple pink brown grey gray
            background background simple simple gradient striped spotted long short fluffy soft round small large
            sitting standing lying sleeping walking running jumping playing
            photo photograph drawing painting illustration sketch render anime cartoon realistic detailed
            best quality high quality masterpiece worst low blurry bad wrong ugly distorted extra hands fingers
            light lighting shadow sun sunlight indoors outdoors day night sky grass tree flower flowers window room
            collar bell ribbon hat scarf bow necklace earrings glasses
            headshot photo of woman man cat dog bird horse car house tree mountain river city street
            """;

    private TinyVocabulary() {
    }

    /** The learnt merges in rank order, each {@code "a b"}. */
    static List<String> merges() {
        return ByteLevelBpe.learnMerges(List.of(CORPUS.trim().split("\\s+")), MAX_MERGES);
    }

    /** How many tokens the vocabulary has: the text encoder's embedding rows. */
    static int size() {
        return ByteLevelBpe.clipIds(merges()).size();
    }

    /** Writes {@code vocab.json} and {@code merges.txt} (Hugging Face's format) into {@code folder}. */
    static void write(Path folder) throws IOException {
        ByteLevelBpe.writeHuggingFace(merges(), folder);
    }
}
