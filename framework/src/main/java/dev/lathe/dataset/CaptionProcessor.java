package dev.lathe.dataset;

import dev.lathe.dataset.DatasetOptions.CaptionOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * kohya-ss's {@code BaseDataset.process_caption} ({@code library/train_util.py}) for one sample
 * in one epoch, its random draws taken from the sample's own {@link Random} in kohya's order.
 *
 * <ol>
 * <li>The prefix and suffix are joined on with a space.
 * <li>The caption becomes empty when a draw falls below {@code dropoutRate}, or in every epoch
 *     divisible by {@code dropoutEveryNEpochs} (epochs count from 1, so with 2 the even epochs
 *     train unconditioned). An emptied caption skips everything below.
 * <li>Only the first line is used.
 * <li>With shuffling or tag dropout the caption is split into tags at the separator and stripped.
 *     With a {@code keepTokensSeparator} present in the caption, the tags before it stay in front,
 *     those after a second occurrence stay at the end (empty tags are dropped); otherwise the first
 *     {@code keepTokens} tags stay in front (empty tags are kept, as kohya keeps them). The other
 *     tags are shuffled, then each is dropped when a draw falls below {@code tagDropoutRate}; the
 *     tags are joined with {@code ", "}.
 * </ol>
 * Without shuffling or tag dropout the caption is used as written, and {@code keepTokens} does
 * nothing.
 */
public final class CaptionProcessor {

    private final CaptionOptions options;

    public CaptionProcessor(CaptionOptions options) {
        this.options = options;
    }

    /** The caption the model sees for {@code caption} in {@code epoch} (1-based). */
    public String process(String caption, int epoch, Random random) {
        if (options.prefix() != null && !options.prefix().isEmpty()) {
            caption = options.prefix() + " " + caption;
        }
        if (options.suffix() != null && !options.suffix().isEmpty()) {
            caption = caption + " " + options.suffix();
        }
        boolean dropped = options.dropoutRate() > 0 && random.nextDouble() < options.dropoutRate();
        dropped = dropped || options.dropoutEveryNEpochs() > 0 && epoch % options.dropoutEveryNEpochs() == 0;
        if (dropped) {
            return "";
        }
        caption = PythonText.split(caption, "\n").get(0);
        if (!options.shuffle() && options.tagDropoutRate() <= 0) {
            return caption;
        }
        String separator = options.separator();
        String keepSeparator = options.keepTokensSeparator();
        List<String> fixed = new ArrayList<>();
        List<String> flex;
        List<String> fixedSuffix = new ArrayList<>();
        if (!keepSeparator.isEmpty() && caption.contains(keepSeparator)) {
            String[] parts = PythonText.splitOnce(caption, keepSeparator);
            String flexPart = parts[1];
            if (flexPart.contains(keepSeparator)) {
                String[] tail = PythonText.splitOnce(flexPart, keepSeparator);
                flexPart = tail[0];
                fixedSuffix = nonEmptyTags(tail[1], separator);
            }
            fixed = nonEmptyTags(parts[0], separator);
            flex = nonEmptyTags(flexPart, separator);
        } else {
            List<String> tags = new ArrayList<>();
            for (String tag : PythonText.split(PythonText.strip(caption), separator)) {
                tags.add(PythonText.strip(tag));
            }
            flex = tags;
            if (options.keepTokens() > 0) {
                int keep = Math.min(options.keepTokens(), tags.size());
                fixed = new ArrayList<>(tags.subList(0, keep));
                flex = new ArrayList<>(tags.subList(keep, tags.size()));
            }
        }
        if (options.shuffle()) {
            shuffle(flex, random);
        }
        if (options.tagDropoutRate() > 0) {
            List<String> kept = new ArrayList<>();
            for (String tag : flex) {
                if (random.nextDouble() >= options.tagDropoutRate()) {
                    kept.add(tag);
                }
            }
            flex = kept;
        }
        List<String> all = new ArrayList<>(fixed);
        all.addAll(flex);
        all.addAll(fixedSuffix);
        return String.join(", ", all);
    }

    private static List<String> nonEmptyTags(String part, String separator) {
        List<String> tags = new ArrayList<>();
        for (String tag : PythonText.split(part, separator)) {
            String stripped = PythonText.strip(tag);
            if (!stripped.isEmpty()) {
                tags.add(stripped);
            }
        }
        return tags;
    }

    /** Python's {@code random.shuffle}: Fisher–Yates from the end, swapping with a draw below i + 1. */
    static <T> void shuffle(List<T> list, Random random) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, random.nextInt(i + 1));
        }
    }
}
