package dev.lathe.image;

import dev.lathe.api.InvalidInputException;
import dev.lathe.framework.internal.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * PNG files: 8-bit RGB images with text chunks, written the way PIL (and so AUTOMATIC1111) writes
 * them, and the text chunks read back from any PNG.
 *
 * <p><b>Writing.</b> Chunks in this order: {@code IHDR} (8-bit truecolour, not interlaced), one text
 * chunk per entry, {@code IDAT}, {@code IEND}. A text value goes into a {@code tEXt} chunk when it
 * can be written in Latin-1 and into an uncompressed {@code iTXt} chunk (UTF-8, no language tag)
 * otherwise — PIL's {@code PngInfo.add_text} rule, which is how A1111 stores a prompt with, say,
 * Japanese text. Each row is filtered with whichever of the five PNG filters gives the smallest sum
 * of absolute differences (libpng's heuristic), then zlib-compressed. The output depends only on
 * the pixels and the text: the same image gives the same bytes every time.
 *
 * <p><b>Reading.</b> {@link #readText} returns every {@code tEXt}, {@code zTXt} and {@code iTXt}
 * chunk (keyword → text, the first of a repeated keyword winning) of any valid PNG.
 */
public final class PngFile {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int BYTES_PER_PIXEL = 3;
    private static final int IDAT_CHUNK = 1 << 20;

    private PngFile() {
    }

    /** The PNG bytes of {@code image} with {@code text} chunks in the map's order. */
    public static byte[] encode(RgbImage image, Map<String, String> text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(image.width() * image.height() + 1024);
        out.writeBytes(SIGNATURE);
        ByteBuffer header = ByteBuffer.allocate(13);
        header.putInt(image.width()).putInt(image.height());
        header.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0); // 8-bit RGB, deflate, adaptive, no interlace
        chunk(out, "IHDR", header.array());
        text.forEach((key, value) -> textChunk(out, key, value));
        byte[] compressed = compress(filtered(image));
        for (int at = 0; at < compressed.length; at += IDAT_CHUNK) { // a zlib stream is never empty
            chunk(out, "IDAT", Arrays.copyOfRange(compressed, at, Math.min(compressed.length, at + IDAT_CHUNK)));
        }
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /**
     * Writes {@code image} to {@code file} atomically (a temporary file in the same folder, then a
     * rename), creating the folder if needed.
     */
    public static void write(Path file, RgbImage image, Map<String, String> text) throws IOException {
        byte[] bytes = encode(image, text);
        Path folder = file.toAbsolutePath().getParent();
        if (folder != null) {
            Files.createDirectories(folder);
        }
        AtomicFiles.write(file, (OutputStream out) -> out.write(bytes));
    }

    /**
     * The text chunks of the PNG {@code file}: keyword → text.
     *
     * @throws InvalidInputException when the file is not a PNG or is damaged
     */
    public static Map<String, String> readText(Path file) throws IOException {
        return readText(Files.readAllBytes(file), file.toString());
    }

    /** The text chunks of PNG {@code bytes}; {@code name} names them in errors. */
    public static Map<String, String> readText(byte[] bytes, String name) {
        if (bytes.length < SIGNATURE.length || !Arrays.equals(Arrays.copyOf(bytes, SIGNATURE.length), SIGNATURE)) {
            throw new InvalidInputException(name + " is not a PNG file (it does not start with the PNG signature).");
        }
        Map<String, String> text = new LinkedHashMap<>();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.position(SIGNATURE.length);
        while (in.remaining() >= 12) {
            int length = in.getInt();
            byte[] type = new byte[4];
            in.get(type);
            if (length < 0 || length > in.remaining() - 4) {
                throw new InvalidInputException(name + " is a damaged PNG: a chunk runs past the end of the file. "
                        + "The file may be truncated; write or download it again.");
            }
            byte[] data = new byte[length];
            in.get(data);
            in.getInt(); // CRC; text chunks are only read, never trusted for more than text
            String kind = new String(type, StandardCharsets.ISO_8859_1);
            switch (kind) {
                case "tEXt" -> putText(text, data, name, false);
                case "zTXt" -> putText(text, data, name, true);
                case "iTXt" -> putInternationalText(text, data, name);
                case "IEND" -> {
                    return text;
                }
                default -> {
                    // image data and other chunks carry no text
                }
            }
        }
        return text;
    }

    // ---- writing ----------------------------------------------------------------------------

    private static void textChunk(ByteArrayOutputStream out, String key, String value) {
        byte[] keyword = key.getBytes(StandardCharsets.ISO_8859_1);
        if (keyword.length < 1 || keyword.length > 79 || !key.equals(new String(keyword, StandardCharsets.ISO_8859_1))
                || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a PNG text keyword is 1-79 Latin-1 characters, got \"" + key + "\"");
        }
        byte[] latin1 = latin1(value);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(keyword);
        data.write(0);
        if (latin1 != null) {
            data.writeBytes(latin1);
            chunk(out, "tEXt", data.toByteArray());
        } else {
            data.write(0); // not compressed
            data.write(0); // compression method
            data.write(0); // empty language tag
            data.write(0); // empty translated keyword
            data.writeBytes(value.getBytes(StandardCharsets.UTF_8));
            chunk(out, "iTXt", data.toByteArray());
        }
    }

    /** {@code text} in Latin-1, or null when it has characters Latin-1 lacks. */
    private static byte[] latin1(String text) {
        try {
            ByteBuffer encoded = StandardCharsets.ISO_8859_1.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(java.nio.CharBuffer.wrap(text));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer length = ByteBuffer.allocate(4).putInt(data.length);
        out.writeBytes(length.array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** Every row prefixed with its filter type and filtered, as the IDAT stream holds them before compression. */
    private static byte[] filtered(RgbImage image) {
        int stride = image.width() * BYTES_PER_PIXEL;
        byte[] raw = image.raw();
        byte[] out = new byte[(stride + 1) * image.height()];
        byte[] zero = new byte[stride];
        byte[][] candidates = new byte[5][stride];
        for (int y = 0; y < image.height(); y++) {
            int row = y * stride;
            int above = y == 0 ? -1 : row - stride;
            long best = Long.MAX_VALUE;
            int chosen = 0;
            for (int filter = 0; filter < 5; filter++) {
                long cost = filterRow(filter, raw, row, above, zero, stride, candidates[filter]);
                if (cost < best) {
                    best = cost;
                    chosen = filter;
                }
            }
            int at = y * (stride + 1);
            out[at] = (byte) chosen;
            System.arraycopy(candidates[chosen], 0, out, at + 1, stride);
        }
        return out;
    }

    /** Applies PNG filter {@code filter} to one row; returns the sum of absolute values of the result as signed bytes. */
    private static long filterRow(int filter, byte[] raw, int row, int above, byte[] zero, int stride, byte[] result) {
        long cost = 0;
        for (int i = 0; i < stride; i++) {
            int x = raw[row + i] & 0xff;
            int a = i >= BYTES_PER_PIXEL ? raw[row + i - BYTES_PER_PIXEL] & 0xff : 0;
            int b = above >= 0 ? raw[above + i] & 0xff : zero[i];
            int c = above >= 0 && i >= BYTES_PER_PIXEL ? raw[above + i - BYTES_PER_PIXEL] & 0xff : 0;
            int predicted = switch (filter) {
                case 0 -> 0;
                case 1 -> a;
                case 2 -> b;
                case 3 -> (a + b) >>> 1;
                default -> paeth(a, b, c);
            };
            byte value = (byte) (x - predicted);
            result[i] = value;
            cost += Math.abs(value);
        }
        return cost;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) {
            return a;
        }
        return pb <= pc ? b : c;
    }

    private static byte[] compress(byte[] data) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
            byte[] buffer = new byte[1 << 16];
            while (!deflater.finished()) {
                int n = deflater.deflate(buffer);
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    // ---- reading ----------------------------------------------------------------------------

    private static void putText(Map<String, String> text, byte[] data, String name, boolean compressed) {
        int zero = indexOf(data, 0, 0);
        if (zero < 1) {
            throw damaged(name, compressed ? "zTXt" : "tEXt");
        }
        String key = new String(data, 0, zero, StandardCharsets.ISO_8859_1);
        byte[] value;
        if (compressed) {
            if (zero + 1 >= data.length) {
                throw damaged(name, "zTXt");
            }
            value = inflate(Arrays.copyOfRange(data, zero + 2, data.length), name);
        } else {
            value = Arrays.copyOfRange(data, zero + 1, data.length);
        }
        text.putIfAbsent(key, new String(value, StandardCharsets.ISO_8859_1));
    }

    private static void putInternationalText(Map<String, String> text, byte[] data, String name) {
        int keyEnd = indexOf(data, 0, 0);
        if (keyEnd < 1 || keyEnd + 2 >= data.length) {
            throw damaged(name, "iTXt");
        }
        boolean compressed = data[keyEnd + 1] != 0;
        int languageEnd = indexOf(data, keyEnd + 3, 0);
        int translatedEnd = languageEnd < 0 ? -1 : indexOf(data, languageEnd + 1, 0);
        if (translatedEnd < 0) {
            throw damaged(name, "iTXt");
        }
        byte[] value = Arrays.copyOfRange(data, translatedEnd + 1, data.length);
        if (compressed) {
            value = inflate(value, name);
        }
        text.putIfAbsent(new String(data, 0, keyEnd, StandardCharsets.ISO_8859_1), new String(value, StandardCharsets.UTF_8));
    }

    private static int indexOf(byte[] data, int from, int value) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] inflate(byte[] data, String name) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw damaged(name, "compressed text");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw damaged(name, "compressed text");
        } finally {
            inflater.end();
        }
    }

    private static InvalidInputException damaged(String name, String chunk) {
        return new InvalidInputException(name + " is a damaged PNG: its " + chunk + " chunk cannot be read. "
                + "Write or download the file again.");
    }
}
