package dev.lathe.dataset;

import java.nio.file.Path;

/**
 * One {@code <repeats>_<name>} folder of the dataset (kohya's DreamBooth subset).
 *
 * @param name        the folder's name, e.g. {@code 10_alice}: the key in {@code ss_dataset_dirs} and {@code ss_tag_frequency}
 * @param path        the folder
 * @param repeats     how often each image is used per epoch (the number before the first {@code _})
 * @param classTokens the rest of the name after the first {@code _} ({@code alice}): the caption of images without a caption file
 * @param imageCount  how many images it holds
 */
public record DatasetFolder(String name, Path path, int repeats, String classTokens, int imageCount) {
}
