package dev.lathe.dataset;

import java.nio.file.Path;

/**
 * One training image as scanned.
 *
 * @param index         its position in {@link KohyaDataset#images()} (folders by name, files by path)
 * @param path          the image file
 * @param folder        the name of its {@code <repeats>_<name>} folder
 * @param repeats       its folder's repeats
 * @param caption       its caption as read (first line of the caption file, stripped), or the folder's class tokens
 * @param captionFile   the caption file it came from, or null when the folder name was used
 * @param size          its size in pixels from the file's header
 * @param bucket        its bucket and the size it is resized to before the crop
 */
public record DatasetImage(int index, Path path, String folder, int repeats, String caption, Path captionFile,
        Resolution size, BucketAssignment bucket) {
}
