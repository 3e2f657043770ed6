package dev.lathe.dataset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * kohya-ss's {@code read_caption} ({@code DreamBoothDataset} in {@code library/train_util.py}):
 * the caption file of {@code image.png} is {@code image<ext>} beside it; failing that, for names
 * with at least five {@code _}-separated parts (kohya's face-crop naming
 * {@code name_cx_cy_w_h.png}), the name without its last four parts. The caption is the file's
 * first line (any of {@code \n}, {@code \r\n}, {@code \r} ends it), stripped of surrounding
 * whitespace, decoded as strict UTF-8.
 *
 * <p>As in kohya, a file that is not valid UTF-8 or is completely empty (zero lines) is an error,
 * never skipped. One deliberate difference: a leading UTF-8 byte-order mark is removed (Python's
 * {@code utf-8} codec keeps it as part of the first tag, which only hurts).
 */
final class CaptionFiles {

    private CaptionFiles() {
    }

    /** A caption file that exists but cannot be used; the message says why. */
    static final class UnreadableCaptionException extends IOException {
        private static final long serialVersionUID = 1L;

        UnreadableCaptionException(String message) {
            super(message);
        }
    }

    /** The caption file kohya would read for {@code image}, or null when there is none. */
    static Path find(Path image, String extension) {
        String full = image.toString();
        String fileName = image.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        String base = dot > 0 ? full.substring(0, full.length() - (fileName.length() - dot)) : full;
        Path exact = Path.of(base + extension);
        if (Files.isRegularFile(exact)) {
            return exact;
        }
        // kohya splits the whole path (folders included) at "_" for its face-crop naming.
        List<String> tokens = PythonText.split(base, "_");
        if (tokens.size() >= 5) {
            Path faceCrop = Path.of(String.join("_", tokens.subList(0, tokens.size() - 4)) + extension);
            if (Files.isRegularFile(faceCrop)) {
                return faceCrop;
            }
        }
        return null;
    }

    /** The caption in {@code file}: its first line, stripped. */
    static String read(Path file) throws UnreadableCaptionException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UnreadableCaptionException("it cannot be read (" + e.getMessage() + ")");
        }
        if (bytes.length == 0) {
            throw new UnreadableCaptionException("it is empty (kohya-ss stops on empty caption files too): write a "
                    + "caption into it, or delete it to use the folder name as the caption");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new UnreadableCaptionException("it is not UTF-8 text (kohya-ss requires UTF-8 too): save it "
                    + "again as UTF-8");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        int end = text.length();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                end = i;
                break;
            }
        }
        return PythonText.strip(text.substring(0, end));
    }
}
