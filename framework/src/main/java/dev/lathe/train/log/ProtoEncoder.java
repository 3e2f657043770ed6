package dev.lathe.train.log;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Just enough of the protocol buffer wire format to write TensorBoard's {@code Event} messages:
 * varints, 64- and 32-bit little-endian fixed fields, and length-delimited strings and nested
 * messages. Fields are appended in the order the caller writes them.
 */
final class ProtoEncoder {

    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    ProtoEncoder varint(int field, long value) {
        key(field, VARINT);
        rawVarint(value);
        return this;
    }

    ProtoEncoder doubleField(int field, double value) {
        key(field, FIXED64);
        long bits = Double.doubleToRawLongBits(value);
        for (int i = 0; i < 8; i++) {
            bytes.write((int) (bits >>> (8 * i)));
        }
        return this;
    }

    ProtoEncoder floatField(int field, float value) {
        key(field, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) {
            bytes.write(bits >>> (8 * i));
        }
        return this;
    }

    ProtoEncoder string(int field, String value) {
        return bytesField(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoEncoder message(int field, ProtoEncoder message) {
        return bytesField(field, message.toByteArray());
    }

    private ProtoEncoder bytesField(int field, byte[] value) {
        key(field, LENGTH_DELIMITED);
        rawVarint(value.length);
        bytes.writeBytes(value);
        return this;
    }

    byte[] toByteArray() {
        return bytes.toByteArray();
    }

    private void key(int field, int wireType) {
        rawVarint(((long) field << 3) | wireType);
    }

    /** Seven bits at a time, low first, the high bit set on every byte but the last. */
    private void rawVarint(long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            bytes.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        bytes.write((int) v);
    }
}
