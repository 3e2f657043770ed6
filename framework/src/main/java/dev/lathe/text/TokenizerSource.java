package dev.lathe.text;

/**
 * Which tokenizer a text encoder needs, and where it lives: the folder name in a diffusers
 * checkpoint and the Hugging Face repository to download it from. The two SD/SDXL tokenizers
 * share one vocabulary and differ only in the padding token.
 *
 * @param subfolder     the tokenizer's folder in a diffusers checkpoint ({@code tokenizer},
 *                      {@code tokenizer_2})
 * @param hubRepository the Hugging Face repository that holds {@code vocab.json} and
 *                      {@code merges.txt} at its root
 * @param padToken      the vocabulary entry windows are padded with after the end token
 */
public record TokenizerSource(String subfolder, String hubRepository, String padToken) {

    /** OpenAI's CLIP ViT-L/14: SD 1.x and SDXL's first text encoder; pads with the end token. */
    public static final TokenizerSource CLIP_VIT_L =
            new TokenizerSource("tokenizer", "openai/clip-vit-large-patch14", ClipVocabulary.END_OF_TEXT);

    /** LAION's OpenCLIP ViT-bigG/14: SDXL's second text encoder; pads with {@code !} (id 0). */
    public static final TokenizerSource OPEN_CLIP_VIT_BIGG =
            new TokenizerSource("tokenizer_2", "laion/CLIP-ViT-bigG-14-laion2B-39B-b160k", "!");

    /** The id of {@link #padToken} in {@code tokenizer}'s vocabulary. */
    public int padId(ClipTokenizer tokenizer) {
        int id = tokenizer.id(padToken);
        if (id < 0) {
            throw new IllegalArgumentException("the vocabulary has no padding token \"" + padToken + "\"");
        }
        return id;
    }
}
