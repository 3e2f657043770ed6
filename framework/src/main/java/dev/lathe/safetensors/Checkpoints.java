package dev.lathe.safetensors;

import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses pickle-based PyTorch checkpoints ({@code .ckpt}, {@code .pt}, {@code .pth},
 * {@code .bin}). Loading one means unpickling it, and unpickling runs any code its author put in
 * the file, so Lathe reads only safetensors and explains how to convert.
 *
 * <p>Content decides, not the name: a valid safetensors file named {@code .ckpt} is read, and a
 * pickle named {@code .safetensors} is refused. A file that starts like a safetensors file (a
 * plausible little-endian header length followed by {@code '{'}) is never refused here; any other
 * file is refused when
 * <ul>
 * <li>it starts with a pickle protocol 2-5 marker ({@code 0x80 0x02..0x05}; legacy
 *     {@code torch.save} files), or
 * <li>it starts with a ZIP local file header ({@code PK\x03\x04}; {@code torch.save} since
 *     PyTorch 1.6 writes a ZIP archive holding a pickle), or
 * <li>it has a pickle extension.
 * </ul>
 * {@link SafeTensorsFile#open} applies the same check before reading a header.
 */
public final class Checkpoints {

    /** How many leading bytes the check looks at: the 8-byte header length and the header's first byte. */
    static final int PREFIX_BYTES = 9;

    private static final Set<String> PICKLE_EXTENSIONS = Set.of("ckpt", "pt", "pth", "bin");

    private Checkpoints() {
    }

    /**
     * Throws when {@code file} is a pickle-based checkpoint (see the class description); returns
     * quietly for anything else, which does not make it a valid safetensors file.
     *
     * @throws InvalidInputException explaining why pickle files are refused and how to convert
     */
    public static void refusePickle(Path file) throws IOException {
        try (FileChannel channel = SafeTensorsFile.openChannel(file)) {
            ByteBuffer prefix = ByteBuffer.allocate((int) Math.min(channel.size(), PREFIX_BYTES));
            while (prefix.hasRemaining() && channel.read(prefix, prefix.position()) >= 0) {
                // read until the prefix is full or the file ends
            }
            byte[] bytes = new byte[prefix.position()];
            prefix.flip().get(bytes);
            refuseIfPickle(file, bytes, channel.size());
        }
    }

    /** Whether the file name ends in one of the pickle checkpoint extensions. */
    public static boolean hasPickleExtension(Path file) {
        return PICKLE_EXTENSIONS.contains(extension(file));
    }

    static void refuseIfPickle(Path file, byte[] prefix, long fileSize) {
        if (startsLikeSafetensors(prefix, fileSize)) {
            return; // a header length of 0x0280-0x0580 bytes also starts with a "pickle marker"
        }
        String what = pickleContent(prefix);
        if (what == null && hasPickleExtension(file)) {
            what = "named like a PyTorch checkpoint (." + extension(file) + ") and is not a safetensors file";
        }
        if (what != null) {
            throw new InvalidInputException(file + " is " + what + ". Lathe loads only .safetensors files: a pickle-"
                    + "based checkpoint (.ckpt, .pt, .pth, .bin) can only be loaded by unpickling it, and unpickling "
                    + "runs whatever code the file's author put in it. Use the .safetensors version of the model if "
                    + "there is one (most models on Hugging Face and Civitai offer one). Otherwise convert the file "
                    + "yourself, only if you trust its source, with a tool you trust: for example in Python, "
                    + "torch.load(path, map_location=\"cpu\", weights_only=True), take its \"state_dict\" entry if it "
                    + "has one, and save that with safetensors.torch.save_file.");
        }
    }

    private static String pickleContent(byte[] prefix) {
        if (prefix.length >= 2 && (prefix[0] & 0xFF) == 0x80 && prefix[1] >= 2 && prefix[1] <= 5) {
            return "a Python pickle (the legacy PyTorch checkpoint format)";
        }
        if (prefix.length >= 4 && prefix[0] == 'P' && prefix[1] == 'K' && prefix[2] == 3 && prefix[3] == 4) {
            return "a ZIP archive, the container torch.save writes its pickle into";
        }
        return null;
    }

    private static boolean startsLikeSafetensors(byte[] prefix, long fileSize) {
        if (prefix.length < PREFIX_BYTES) {
            return false;
        }
        long headerLength = ByteBuffer.wrap(prefix, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return headerLength > 0 && headerLength <= HeaderReader.MAX_HEADER_BYTES && 8 + headerLength <= fileSize
                && prefix[8] == '{';
    }

    private static String extension(Path file) {
        Path name = file.getFileName();
        String text = name == null ? "" : name.toString();
        int dot = text.lastIndexOf('.');
        return dot < 0 ? "" : text.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
