package dev.lathe.train.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads TensorBoard event files for the tests, independently of the writer: its own bitwise
 * CRC-32C, its own TFRecord unframing and a generic protocol buffer decoder, so a mistake in the
 * writer's encoding cannot cancel out.
 */
final class EventFileReader {

    private EventFileReader() {
    }

    /** A decoded {@code Event}: only the fields the writer uses. */
    record Event(double wallTime, long step, String fileVersion, List<Scalar> scalars, Integer sessionStatus,
                 String sessionMessage) {
    }

    record Scalar(String tag, float value) {
    }

    /** CRC-32C bit by bit (reflected polynomial 0x82F63B78), as RFC 3720 defines it. */
    static int crc32c(byte[] data, int offset, int length) {
        int crc = 0xFFFFFFFF;
        for (int i = offset; i < offset + length; i++) {
            crc ^= data[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
            }
        }
        return ~crc;
    }

    static int masked(int crc) {
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    /** Every record's payload, checking both CRCs of each; throws on any mismatch or a torn record. */
    static List<byte[]> records(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < 12) {
                throw new IllegalStateException("torn record header at " + b.position());
            }
            int at = b.position();
            long length = b.getLong();
            int lengthCrc = b.getInt();
            if (lengthCrc != masked(crc32c(file, at, 8))) {
                throw new IllegalStateException("length CRC mismatch at " + at);
            }
            if (length > b.remaining() - 4) {
                throw new IllegalStateException("torn record at " + at);
            }
            byte[] data = new byte[(int) length];
            b.get(data);
            int dataCrc = b.getInt();
            if (dataCrc != masked(crc32c(data, 0, data.length))) {
                throw new IllegalStateException("data CRC mismatch at " + at);
            }
            out.add(data);
        }
        return out;
    }

    static List<Event> events(Path file) throws IOException {
        List<Event> events = new ArrayList<>();
        for (byte[] record : records(Files.readAllBytes(file))) {
            events.add(event(record));
        }
        return events;
    }

    static Event event(byte[] bytes) {
        Map<Integer, List<Object>> f = fields(bytes);
        double wallTime = f.containsKey(1) ? Double.longBitsToDouble((Long) f.get(1).get(0)) : 0;
        long step = f.containsKey(2) ? (Long) f.get(2).get(0) : 0;
        String version = f.containsKey(3) ? new String((byte[]) f.get(3).get(0), StandardCharsets.UTF_8) : null;
        List<Scalar> scalars = new ArrayList<>();
        if (f.containsKey(5)) {
            for (Object value : fields((byte[]) f.get(5).get(0)).getOrDefault(1, List.of())) {
                Map<Integer, List<Object>> v = fields((byte[]) value);
                scalars.add(new Scalar(new String((byte[]) v.get(1).get(0), StandardCharsets.UTF_8),
                        Float.intBitsToFloat((Integer) v.get(2).get(0))));
            }
        }
        Integer status = null;
        String message = null;
        if (f.containsKey(7)) {
            Map<Integer, List<Object>> log = fields((byte[]) f.get(7).get(0));
            status = log.containsKey(1) ? ((Long) log.get(1).get(0)).intValue() : 0;
            message = log.containsKey(3) ? new String((byte[]) log.get(3).get(0), StandardCharsets.UTF_8) : "";
        }
        return new Event(wallTime, step, version, scalars, status, message);
    }

    /**
     * A message's fields by number: varints as Long, fixed64 as Long bits, fixed32 as Integer
     * bits, length-delimited as byte[].
     */
    static Map<Integer, List<Object>> fields(byte[] bytes) {
        Map<Integer, List<Object>> fields = new LinkedHashMap<>();
        int[] pos = {0};
        while (pos[0] < bytes.length) {
            long key = varint(bytes, pos);
            int field = (int) (key >>> 3);
            Object value = switch ((int) (key & 7)) {
                case 0 -> varint(bytes, pos);
                case 1 -> {
                    long v = ByteBuffer.wrap(bytes, pos[0], 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                    pos[0] += 8;
                    yield v;
                }
                case 2 -> {
                    int n = (int) varint(bytes, pos);
                    byte[] v = java.util.Arrays.copyOfRange(bytes, pos[0], pos[0] + n);
                    pos[0] += n;
                    yield v;
                }
                case 5 -> {
                    int v = ByteBuffer.wrap(bytes, pos[0], 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                    pos[0] += 4;
                    yield v;
                }
                default -> throw new IllegalStateException("wire type " + (key & 7) + " at " + pos[0]);
            };
            fields.computeIfAbsent(field, k -> new ArrayList<>()).add(value);
        }
        return fields;
    }

    private static long varint(byte[] bytes, int[] pos) {
        long result = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = bytes[pos[0]++];
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
    }
}
