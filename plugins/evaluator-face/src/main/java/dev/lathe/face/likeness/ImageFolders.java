package dev.lathe.face.likeness;

import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finding images and epoch folders. */
public final class ImageFolders {

    /** What ImageIO reads without plugins. */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif");

    /**
     * Names in natural order: digit runs compare as numbers, so {@code epoch-2} comes before
     * {@code epoch-10}.
     */
    public static final Comparator<Path> NATURAL_ORDER = (a, b) -> naturalCompare(
            a.getFileName().toString(), b.getFileName().toString());

    private static final Pattern CHUNK = Pattern.compile("\\d+|\\D+");

    private ImageFolders() {
    }

    /**
     * The image files directly in {@code folder}, in natural order.
     *
     * @param role what the folder is, for messages ("reference folder")
     * @throws InvalidInputException when it is not a readable folder or holds no image
     */
    public static List<Path> images(Path folder, String role) {
        List<Path> images = list(folder, role).filter(Files::isRegularFile).filter(ImageFolders::isImage).toList();
        if (images.isEmpty()) {
            throw new InvalidInputException("The " + role + " " + folder + " holds no images (looked for "
                    + String.join(", ", EXTENSIONS.stream().sorted().toList()) + " files directly in it).");
        }
        return images;
    }

    /** The subfolders of {@code folder}, in natural order (possibly none). */
    public static List<Path> subfolders(Path folder, String role) {
        return list(folder, role).filter(Files::isDirectory).toList();
    }

    public static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static Stream<Path> list(Path folder, String role) {
        if (!Files.isDirectory(folder)) {
            throw new InvalidInputException("The " + role + " " + folder + " does not exist or is not a folder.");
        }
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.sorted(NATURAL_ORDER).toList().stream();
        } catch (IOException e) {
            throw new InvalidInputException("Cannot list the " + role + " " + folder + ": " + e.getMessage() + ".", e);
        }
    }

    static int naturalCompare(String a, String b) {
        Matcher ma = CHUNK.matcher(a);
        Matcher mb = CHUNK.matcher(b);
        while (true) {
            boolean moreA = ma.find();
            boolean moreB = mb.find();
            if (!moreA || !moreB) {
                return moreA == moreB ? a.compareTo(b) : moreA ? 1 : -1;
            }
            String x = ma.group();
            String y = mb.group();
            int c;
            if (Character.isDigit(x.charAt(0)) && Character.isDigit(y.charAt(0))) {
                String xs = x.replaceFirst("^0+(?=.)", "");
                String ys = y.replaceFirst("^0+(?=.)", "");
                c = xs.length() != ys.length() ? Integer.compare(xs.length(), ys.length()) : xs.compareTo(ys);
            } else {
                c = x.compareTo(y);
            }
            if (c != 0) {
                return c;
            }
        }
    }
}
