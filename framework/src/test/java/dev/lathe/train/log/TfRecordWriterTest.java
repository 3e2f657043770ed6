package dev.lathe.train.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class TfRecordWriterTest {

    private static byte[] filled(int value) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    private static byte[] counting(boolean up) {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) (up ? i : 31 - i);
        }
        return b;
    }

    /**
     * RFC 3720 appendix B.4 gives each CRC as the bytes sent on the wire, least significant
     * first ("aa 36 91 8a" is 0x8a9136aa).
     */
    @Test
    void crc32cMatchesTheRfc3720Vectors() {
        byte[] readCommand = HexFormat.of().parseHex("01c00000000000000000000000000000" + "14000000000004000000001400000018"
                + "28000000000000000200000000000000");
        Object[][] vectors = {
            {filled(0), 0x8a9136aa},
            {filled(0xff), 0x62a8ab43},
            {counting(true), 0x46dd794e},
            {counting(false), 0x113fdb5c},
            {readCommand, 0xd9963a56},
            {"123456789".getBytes(StandardCharsets.US_ASCII), 0xe3069283}, // the usual check value
        };
        for (Object[] v : vectors) {
            byte[] data = (byte[]) v[0];
            assertEquals((int) v[1], TfRecordWriter.crc32c(data), HexFormat.of().formatHex(data));
            assertEquals((int) v[1], EventFileReader.crc32c(data, 0, data.length), "the test's own CRC");
        }
    }

    @Test
    void theMaskRotatesRightBy15AndAddsTheConstant() {
        byte[] data = "brain.Event:2".getBytes(StandardCharsets.UTF_8);
        int crc = EventFileReader.crc32c(data, 0, data.length);
        long rotated = ((crc & 0xffffffffL) >>> 15) | (((crc & 0xffffffffL) << 17) & 0xffffffffL);
        assertEquals((int) ((rotated + 0xa282ead8L) & 0xffffffffL), TfRecordWriter.maskedCrc32c(data));
    }

    @Test
    void recordsAreFramedWithLengthDataAndBothCrcs() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TfRecordWriter writer = new TfRecordWriter(out);
        byte[] first = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] second = new byte[300];
        writer.write(first);
        writer.write(second);
        writer.write(new byte[0]);
        byte[] file = out.toByteArray();
        assertEquals(3 * 16 + 5 + 300, file.length);
        assertEquals(5, file[0]); // little-endian length
        List<byte[]> records = EventFileReader.records(file);
        assertEquals(3, records.size());
        assertArrayEquals(first, records.get(0));
        assertArrayEquals(second, records.get(1));
        assertArrayEquals(new byte[0], records.get(2));

        byte[] corrupted = file.clone();
        corrupted[14] ^= 1; // a data byte of the first record
        assertThrows(IllegalStateException.class, () -> EventFileReader.records(corrupted), "the reader checks the data CRC");
        byte[] badLength = file.clone();
        badLength[1] ^= 1;
        assertThrows(IllegalStateException.class, () -> EventFileReader.records(badLength), "and the length CRC");
    }
}
