package dev.lathe.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Long prompts for sampling: the prompt's tokens in windows of 75, each window encoded with its
 * own start and end tokens and padding, the windows' outputs concatenated along the token axis —
 * AUTOMATIC1111's way ({@code sd_hijack_clip.py}, {@code tokenize_line}), with a weight per token.
 *
 * <p>How tokens are laid out, as A1111 does it:
 * <ul>
 * <li>each text segment is tokenized on its own ({@link PromptParser} has already joined
 *     neighbours of equal weight) and every token carries its segment's weight;
 * <li>{@code BREAK} closes the current window, even an empty one;
 * <li>when a window is full (75 tokens) and a comma came within the last {@code commaBacktrack}
 *     tokens (default 20, A1111's "comma padding backtrack"), the tokens after that comma move
 *     to the next window, so a phrase is not cut in two; 0 turns this off;
 * <li>a window is filled up with the end token, then start and end tokens go around it; when the
 *     padding token differs from the end token (SDXL's second encoder, SD 2.x), everything after
 *     the first end token becomes padding;
 * <li>an empty prompt is one window of start token and end tokens.
 * </ul>
 *
 * <p><b>Kohya's training scripts differ.</b> With {@code --max_token_length 150} or {@code 225}
 * kohya-ss tokenizes the whole caption once, truncates it to 150 or 225 tokens and cuts it into
 * 2 or 3 windows at fixed 75-token boundaries: no comma backtracking, no {@code BREAK}, no
 * emphasis (captions are plain text), and always that many windows however short the caption,
 * the unused ones holding only end or padding tokens. It also joins the encoder outputs
 * differently: it keeps the first window's start token, the 75 prompt positions of each window
 * and the last window's end token (2 + 75k positions), where A1111 keeps all 77k. This class is
 * for sampling, where a prompt should mean what it means in A1111.
 */
public final class PromptChunker {

    /** A1111's default for moving a phrase cut by a window's end to the next window. */
    public static final int DEFAULT_COMMA_BACKTRACK = 20;

    private static final int WINDOW = ClipTokenizer.WINDOW_TOKENS;

    private final ClipTokenizer tokenizer;
    private final int padToken;
    private final int commaBacktrack;
    private final int comma;

    /** Windows padded with {@code padToken}, with A1111's default comma backtracking. */
    public PromptChunker(ClipTokenizer tokenizer, int padToken) {
        this(tokenizer, padToken, DEFAULT_COMMA_BACKTRACK);
    }

    /**
     * @param padToken       the token after the end token: the end token itself for SD 1.x and
     *                       SDXL's first encoder, 0 for SDXL's second
     * @param commaBacktrack how far back a comma may be to move the rest of a cut phrase to the
     *                       next window; 0 cuts windows at exactly 75 tokens
     */
    public PromptChunker(ClipTokenizer tokenizer, int padToken, int commaBacktrack) {
        if (commaBacktrack < 0 || commaBacktrack > WINDOW) {
            throw new IllegalArgumentException("comma backtrack " + commaBacktrack + " is not within 0.." + WINDOW);
        }
        this.tokenizer = tokenizer;
        this.padToken = padToken;
        this.commaBacktrack = commaBacktrack;
        this.comma = tokenizer.id(",</w>");
    }

    /** The windows of {@code prompt}, parsed with {@link PromptParser} (tags are dropped). */
    public PromptChunks chunk(String prompt) {
        return chunk(PromptParser.parse(prompt).segments());
    }

    /** The windows of a parsed prompt. */
    public PromptChunks chunk(List<PromptSegment> segments) {
        Layout layout = new Layout();
        for (PromptSegment segment : segments) {
            if (segment.isBreak()) {
                layout.closeWindow(false);
                continue;
            }
            float weight = (float) segment.weight();
            for (int token : tokenizer.encode(segment.text())) {
                layout.add(token, weight);
            }
        }
        if (!layout.tokens.isEmpty() || layout.ids.isEmpty()) {
            layout.closeWindow(true);
        }
        return new PromptChunks(layout.ids, layout.weights, layout.tokenCount);
    }

    /**
     * {@code chunks} with empty-prompt windows appended up to {@code windows}, so that a positive
     * and a negative prompt can be encoded as one batch (A1111's "pad prompt/negative prompt"
     * option; by default A1111 instead encodes them separately when their lengths differ).
     */
    public PromptChunks padTo(PromptChunks chunks, int windows) {
        return chunks.padTo(windows, chunk(List.of()).ids().get(0));
    }

    /** The windows being filled. */
    private final class Layout {
        final List<int[]> ids = new ArrayList<>();
        final List<float[]> weights = new ArrayList<>();
        List<Integer> tokens = new ArrayList<>(WINDOW);
        List<Float> tokenWeights = new ArrayList<>(WINDOW);
        int lastComma = -1;
        int tokenCount;

        void add(int token, float weight) {
            if (token == comma) {
                lastComma = tokens.size();
            } else if (commaBacktrack > 0 && tokens.size() == WINDOW && lastComma >= 0
                    && tokens.size() - lastComma <= commaBacktrack) {
                moveAfterLastCommaToNextWindow();
            }
            if (tokens.size() == WINDOW) {
                closeWindow(false);
            }
            tokens.add(token);
            tokenWeights.add(weight);
        }

        private void moveAfterLastCommaToNextWindow() {
            int cut = lastComma + 1;
            List<Integer> movedTokens = new ArrayList<>(tokens.subList(cut, tokens.size()));
            List<Float> movedWeights = new ArrayList<>(tokenWeights.subList(cut, tokenWeights.size()));
            tokens = new ArrayList<>(tokens.subList(0, cut));
            tokenWeights = new ArrayList<>(tokenWeights.subList(0, cut));
            closeWindow(false);
            tokens = movedTokens;
            tokenWeights = movedWeights;
        }

        /** Pads and wraps the current window; the last one counts only its real tokens. */
        void closeWindow(boolean last) {
            tokenCount += last ? tokens.size() : WINDOW;
            int[] window = new int[ClipTokenizer.CONTEXT_LENGTH];
            float[] windowWeights = new float[ClipTokenizer.CONTEXT_LENGTH];
            Arrays.fill(window, tokenizer.endOfText());
            Arrays.fill(windowWeights, 1f);
            window[0] = tokenizer.startOfText();
            for (int i = 0; i < tokens.size(); i++) {
                window[1 + i] = tokens.get(i);
                windowWeights[1 + i] = tokenWeights.get(i);
            }
            padAfterFirstEnd(window);
            ids.add(window);
            weights.add(windowWeights);
            tokens = new ArrayList<>(WINDOW);
            tokenWeights = new ArrayList<>(WINDOW);
            lastComma = -1;
        }

        private void padAfterFirstEnd(int[] window) {
            for (int i = 0; i < window.length; i++) {
                if (window[i] == tokenizer.endOfText()) {
                    Arrays.fill(window, i + 1, window.length, padToken);
                    return;
                }
            }
        }
    }
}
