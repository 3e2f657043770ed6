package dev.lathe.train.log;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32C;

/**
 * Frames records as TensorFlow's TFRecord format does, which is how TensorBoard event files are
 * stored. Each record is
 * <pre>
 *   uint64 length            little-endian
 *   uint32 masked CRC-32C    of the 8 length bytes
 *   byte[length] data
 *   uint32 masked CRC-32C    of the data
 * </pre>
 * The CRC is the Castagnoli CRC-32C, "masked" (rotated right by 15 bits, plus a constant) because
 * a CRC computed over data that itself contains CRCs is weak.
 */
public final class TfRecordWriter {

    private static final int MASK_DELTA = 0xa282ead8;

    private final OutputStream out;

    /** @param out where records go; the caller flushes and closes it */
    public TfRecordWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes one record around {@code data}. */
    public void write(byte[] data) throws IOException {
        byte[] length = littleEndian(data.length, 8);
        out.write(length);
        out.write(littleEndian(maskedCrc32c(length), 4));
        out.write(data);
        out.write(littleEndian(maskedCrc32c(data), 4));
    }

    /** The CRC-32C (Castagnoli) of {@code data}, as an unsigned 32-bit value in an int. */
    public static int crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return (int) crc.getValue();
    }

    /** The masked CRC-32C TFRecord stores: the CRC rotated right by 15 bits, plus 0xa282ead8. */
    public static int maskedCrc32c(byte[] data) {
        int crc = crc32c(data);
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    private static byte[] littleEndian(long value, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (value >>> (8 * i));
        }
        return b;
    }
}
