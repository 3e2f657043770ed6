package dev.lathe.dataset;

import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the folders, images and captions of a kohya dataset folder, as kohya-ss's
 * {@code generate_dreambooth_subsets_config_by_subdirs} and {@code DreamBoothDataset} do, and
 * turns every problem into either a reported skip (a warning naming the folder or file) or an
 * {@link InvalidInputException} that names the files and says what to do.
 */
final class DatasetScanner {

    /** kohya's {@code IMAGE_EXTENSIONS} (case-sensitive: {@code .Png} is not an image to kohya). */
    static final List<String> IMAGE_EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".webp", ".bmp", ".PNG", ".JPG",
            ".JPEG", ".WEBP", ".BMP");

    /** Extensions of images kohya would not train on, worth a warning rather than silence. */
    private static final Set<String> OTHER_IMAGE_EXTENSIONS = Set.of(".gif", ".tif", ".tiff", ".avif", ".jxl",
            ".heic", ".heif");

    /** What a scan found. */
    record Scan(List<DatasetFolder> folders, List<ScannedImage> images) {
    }

    /** An image with its caption and header size, before bucketing. */
    record ScannedImage(Path path, String folder, int repeats, String caption, Path captionFile, Resolution size) {
    }

    private final DatasetOptions options;
    private final Warnings warnings;

    DatasetScanner(DatasetOptions options, Warnings warnings) {
        this.options = options;
        this.warnings = warnings;
    }

    Scan scan() {
        Path root = options.directory();
        if (!Files.exists(root)) {
            throw new InvalidInputException("The dataset folder " + root + " does not exist. Give the folder that "
                    + "holds the <repeats>_<name> folders, e.g. data/alice containing data/alice/10_alice/ with the "
                    + "images and their .txt captions.");
        }
        if (!Files.isDirectory(root)) {
            throw new InvalidInputException("The dataset " + root + " is a file, not a folder. Give the folder that "
                    + "holds the <repeats>_<name> folders (kohya-ss's train_data_dir).");
        }
        List<Path> children = list(root);
        List<DatasetFolder> folders = new ArrayList<>();
        List<ScannedImage> images = new ArrayList<>();
        List<String> ignoredFolders = new ArrayList<>();
        int looseImages = 0;
        for (Path child : children) {
            String name = child.getFileName().toString();
            if (!Files.isDirectory(child)) {
                if (isImageName(name)) {
                    looseImages++;
                }
                continue;
            }
            if (name.startsWith(".")) {
                continue; // hidden folders (caches, .git) are not subsets
            }
            Integer repeats = repeatsOf(name);
            if (repeats == null) {
                ignoredFolders.add(name);
                warnings.add("Ignoring the folder " + child + ": its name does not start with a number of repeats and"
                        + " an underscore (kohya's <repeats>_<name>, e.g. 10_" + name + ").");
                continue;
            }
            if (repeats < 1) {
                ignoredFolders.add(name);
                warnings.add("Ignoring the folder " + child + ": it repeats its images " + repeats
                        + " times per epoch; use 1 or more.");
                continue;
            }
            int underscore = name.indexOf('_');
            String classTokens = underscore < 0 ? "" : name.substring(underscore + 1);
            List<Path> files = imagesIn(child);
            if (files.isEmpty()) {
                warnings.add("Ignoring the folder " + child + ": it holds no images (" + extensionList() + ").");
                continue;
            }
            folders.add(new DatasetFolder(name, child, repeats, classTokens, files.size()));
            for (Path file : files) {
                images.add(new ScannedImage(file, name, repeats, null, null, null));
            }
        }
        if (folders.isEmpty()) {
            throw noFolders(root, ignoredFolders, looseImages);
        }
        if (looseImages > 0) {
            warnings.add("Ignoring " + looseImages + " image(s) directly in " + root + ": only images inside "
                    + "<repeats>_<name> folders are trained on.");
        }
        return new Scan(folders, captionsAndSizes(images, folders));
    }

    private List<ScannedImage> captionsAndSizes(List<ScannedImage> found, List<DatasetFolder> folders) {
        List<String> captionProblems = new ArrayList<>();
        List<String> imageProblems = new ArrayList<>();
        List<Path> missingCaptions = new ArrayList<>();
        List<ScannedImage> out = new ArrayList<>();
        for (ScannedImage image : found) {
            String caption = null;
            Path captionFile = CaptionFiles.find(image.path(), options.captionExtension());
            if (captionFile != null) {
                try {
                    caption = CaptionFiles.read(captionFile);
                } catch (CaptionFiles.UnreadableCaptionException e) {
                    captionProblems.add(captionFile + ": " + e.getMessage());
                }
            } else {
                missingCaptions.add(image.path());
                caption = classTokensOf(image.folder(), folders);
            }
            Resolution size = null;
            try {
                size = ImageFiles.readSize(image.path());
            } catch (ImageFiles.CorruptImageException e) {
                imageProblems.add(ImageFiles.problem(image.path(), e));
            }
            out.add(new ScannedImage(image.path(), image.folder(), image.repeats(), caption, captionFile, size));
        }
        if (!captionProblems.isEmpty()) {
            throw unreadableCaptions(captionProblems);
        }
        if (!imageProblems.isEmpty()) {
            throw ImageFiles.invalid(imageProblems, "in " + options.directory());
        }
        if (!missingCaptions.isEmpty()) {
            warnings.add("No caption file (" + options.captionExtension() + ") for " + missingCaptions.size()
                    + " image(s): each uses its folder's name after the repeats as its caption.");
            int shown = Math.min(5, missingCaptions.size());
            for (int i = 0; i < shown; i++) {
                warnings.add("  no caption: " + missingCaptions.get(i));
            }
            if (missingCaptions.size() > shown) {
                warnings.add("  ... and " + (missingCaptions.size() - shown) + " more");
            }
        }
        return out;
    }

    private static String classTokensOf(String folder, List<DatasetFolder> folders) {
        return folders.stream().filter(f -> f.name().equals(folder)).findFirst().orElseThrow().classTokens();
    }

    private List<Path> imagesIn(Path folder) {
        List<Path> images = new ArrayList<>();
        for (Path file : list(folder)) {
            String name = file.getFileName().toString();
            if (name.startsWith(".")) {
                continue; // glob("*.png") does not match hidden files
            }
            if (isImageName(name)) {
                if (Files.isRegularFile(file)) {
                    images.add(file);
                } else {
                    warnings.add("Skipping " + file + ": it is named like an image but is not a file.");
                }
            } else if (looksLikeOtherImage(name)) {
                warnings.add("Skipping " + file + ": kohya-ss trains only on " + extensionList()
                        + " files with exactly these extensions; convert or rename it to use it.");
            }
        }
        images.sort(Comparator.comparing(Path::toString, DatasetScanner::compareCodePoints));
        return images;
    }

    static boolean isImageName(String name) {
        for (String extension : IMAGE_EXTENSIONS) {
            if (name.endsWith(extension) && name.length() > extension.length()) {
                return true;
            }
        }
        return false;
    }

    private static boolean looksLikeOtherImage(String name) {
        int dot = name.lastIndexOf('.');
        if (dot <= 0) {
            return false;
        }
        String extension = name.substring(dot).toLowerCase(Locale.ROOT);
        return OTHER_IMAGE_EXTENSIONS.contains(extension) || IMAGE_EXTENSIONS.contains(extension);
    }

    /** kohya's {@code int(name.split("_")[0])}, or null when that is not a number. */
    static Integer repeatsOf(String folderName) {
        String first = PythonText.strip(PythonText.split(folderName, "_").get(0));
        try {
            return Integer.parseInt(first);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String extensionList() {
        return ".png, .jpg, .jpeg, .webp, .bmp";
    }

    private InvalidInputException noFolders(Path root, List<String> ignored, int looseImages) {
        StringBuilder message = new StringBuilder("The dataset folder " + root + " has no <repeats>_<name> folder "
                + "with images. kohya's layout is " + root + "/10_alice/ holding the images and their captions, where"
                + " 10 is how many times each image is used per epoch and alice the caption of images without a "
                + "caption file.");
        if (looseImages > 0) {
            message.append(" It holds ").append(looseImages).append(" image(s) directly: move them into such a "
                    + "folder.");
        }
        if (!ignored.isEmpty()) {
            message.append(" Folders ignored (see the warnings above): ").append(String.join(", ", ignored))
                    .append('.');
        }
        return new InvalidInputException(message.toString());
    }

    private InvalidInputException unreadableCaptions(List<String> problems) {
        int shown = Math.min(10, problems.size());
        String list = String.join("; ", problems.subList(0, shown))
                + (problems.size() > shown ? "; and " + (problems.size() - shown) + " more" : "");
        return new InvalidInputException((problems.size() == 1 ? "A caption file" : problems.size() + " caption files")
                + " in " + options.directory() + " cannot be used: " + list + ".");
    }

    private static List<Path> list(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.sorted(Comparator.comparing(p -> p.getFileName().toString(),
                    DatasetScanner::compareCodePoints)).toList();
        } catch (IOException e) {
            throw new InvalidInputException("The dataset folder " + folder + " cannot be listed (" + e.getMessage()
                    + "). Check that it exists and is readable.", e);
        }
    }

    /** Python's string order: by code point (Java's compareTo orders by UTF-16 unit). */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
